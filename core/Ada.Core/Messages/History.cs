using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ada.Core.Messages;

/// <summary>The states of a message, and of each of its waves (a wave is scheduled, delivering, done or cancelled as a message is).</summary>
public static class MessageStates
{
    public const string Scheduled = "scheduled";
    public const string Delivering = "delivering";
    public const string Done = "done";
    public const string Cancelled = "cancelled";
}

public static class ChannelStates
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Done = "done";
}

public static class Channels
{
    public const string Telegram = "telegram";
    public const string Vk = "vk";
    public const string Sms = "sms";
    public const string Email = "email";

    public static readonly IReadOnlyList<string> All = [Telegram, Vk, Sms, Email];
}

public sealed record Addressees(
    IReadOnlyList<string> Users,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> Supergroups);

public sealed record Rescheduled(string From, string Reason);

/// <summary>
/// One channel's part of the history. <c>Delivered</c> counts the receipts a delivery report moved from
/// <c>sent</c> to <c>delivered</c> (<c>lua/update_receipt.lua</c>; SMS): they stay counted in <c>Sent</c> too.
/// </summary>
public sealed record ChannelSection(
    string State,
    int Sent,
    int Failed,
    int NoContact,
    IReadOnlyDictionary<string, int> Errors,
    string? StartedAt,
    string? FinishedAt,
    int Delivered = 0,
    int Expired = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WaitingFor = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Wave = null)
{
    /// <summary>The wave (index into <see cref="HistoryDocument.Waves"/>) this channel sends or waits for; absent without waves.</summary>
    public int WaveIndex => Wave ?? 0;

    /// <summary><see cref="WaitingFor"/> of a registered channel with no live courier when the message was queued; the claim clears it.</summary>
    public const string WaitingForCourier = "courier";

    public static ChannelSection New() => new(ChannelStates.Pending, 0, 0, 0, new Dictionary<string, int>(), null, null);
}

/// <summary>The recipients of one time zone in a wave (the list <c>recipients:{id}</c> keeps them together, in wave order).</summary>
public sealed record WaveZone(string Zone, int Recipients);

/// <summary>
/// One wave of a message whose recipients live in several time zones (issue 13): the people whose local quiet hours
/// put their delivery at the same instant. <c>State</c> is <c>scheduled</c> until a courier starts it, then
/// <c>delivering</c>, <c>done</c> when every expected channel finished it, <c>cancelled</c> when the message was
/// cancelled before that. <c>Rescheduled</c> says when quiet hours moved this wave.
/// </summary>
public sealed record Wave(
    string At,
    long AtMs,
    int Recipients,
    string State,
    IReadOnlyList<WaveZone> Zones,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Rescheduled? Rescheduled = null);

/// <summary>
/// The history document stored as JSON at <c>history:{id}</c>. The API writes it whole when a message is
/// queued; after that only the Lua scripts change it (claim, report, cancel, reschedule, send-now).
/// Optional, absent when null: <c>segments</c> (channel → SMS segments per person, for channels that publish
/// <c>ChannelLimits.MaxSmsSegments</c>), <c>shortId</c> (the code a sender types to ask about a message sent by SMS),
/// <c>scheduleId</c> (the schedule whose occurrence this message is; its origin is then <c>schedule</c>) and
/// <c>expiresAt</c>/<c>expiresAtMs</c> (after it nobody more is sent to) and <c>waves</c> (present only when some
/// recipient's time zone is not the institution's: the message goes out in waves, see <see cref="Wave"/>;
/// <c>deliverAt</c> is then the first wave's time).
/// </summary>
public sealed record HistoryDocument(
    string Id,
    string Sender,
    string Origin,
    string Text,
    Addressees To,
    int Recipients,
    string CreatedAt,
    string? RequestedAt,
    string DeliverAt,
    long DeliverAtMs,
    bool Urgent,
    Rescheduled? Rescheduled,
    string State,
    IReadOnlyList<string> ExpectedChannels,
    IReadOnlyDictionary<string, ChannelSection> Channels,
    string? CancelledAt = null,
    string? FinishedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? Segments = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ShortId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ScheduleId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExpiresAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ExpiresAtMs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Wave>? Waves = null)
{
    /// <summary>The range of <c>recipients:{id}</c> that wave <paramref name="wave"/> sends to (all of it without waves).</summary>
    public (long Start, long End)? WaveRange(int wave)
    {
        if (Waves is null)
        {
            return null;
        }
        long start = 0;
        for (var i = 0; i < wave; i++)
        {
            start += Waves[i].Recipients;
        }
        return (start, start + Waves[wave].Recipients);
    }
}

/// <summary>
/// What happened to one person on one channel (<c>receipts:{id}</c>, field <c>&lt;channel&gt;:&lt;userId&gt;</c>).
/// <c>At</c> is when the courier recorded it; <c>ReportedAt</c> when a delivery report changed it afterwards;
/// <c>Wave</c> the wave it went out in (only for messages with <see cref="HistoryDocument.Waves"/>).
/// </summary>
public sealed record Receipt(
    string UserId,
    string Channel,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProviderMessageId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Attempts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? At = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReportedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Wave = null);

public static class ReceiptStatus
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string NoContact = "no_contact";

    /// <summary>A delivery report confirmed a <c>sent</c> receipt (SMS).</summary>
    public const string Delivered = "delivered";

    /// <summary>Not sent: the message's <c>expiresAt</c> passed before this person was reached.</summary>
    public const string Expired = "expired";
}

public static class AdaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>UTC, millisecond precision, ISO-8601: the one timestamp format of the history.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
