using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Ada.Api.Http;
using Ada.Core.Messages;

namespace Ada.Api.Messages;

public sealed record AddresseesBody(List<string?>? Users, List<string?>? Groups, List<string?>? Supergroups);

/// <summary><c>channels</c> (optional) restricts delivery to these channels (those of them with a running courier).</summary>
public sealed record QueueBody(
    string? Id, string? Text, AddresseesBody? To, string? SendAt, bool? Urgent, string? Origin, List<string?>? Channels = null,
    string? ExpiresAt = null);

public sealed record RescheduleBody(string? SendAt);

/// <summary><c>segments</c> (channel → SMS segments per person) only when an expected channel counts them.</summary>
/// <c>waiting</c>: expected channels with no courier running now (the message waits for them); <c>expiresAt</c> when it expires;
/// <c>waves</c> when recipients in other time zones make the message go out in waves (as in the history).
public sealed record QueueAnswer(
    string Id, string DeliverAt, Rescheduled? Rescheduled, int Recipients, IReadOnlyList<string> Channels,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? Segments = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Waiting = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExpiresAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Wave>? Waves = null);

public sealed record HistoryKeyAnswer(string Id, string HistoryKey);

public sealed record TrackerEnd(string Reason);

/// <summary>
/// A queue request that passed validation: what the sender asked for, in canonical form. <c>Channels</c> is
/// null when the sender did not restrict them.
/// </summary>
public sealed record QueueRequest(
    string? Id, string Text, Addressees To, DateTimeOffset? SendAt, bool Urgent, string Origin, IReadOnlyList<string>? Channels,
    DateTimeOffset? ExpiresAt = null)
{
    public const int MaxTextLength = 10_000;
    public static readonly IReadOnlyList<string> Origins = ["api", "web", "telegram", "sms"];
    /// <summary>The origin of a schedule's occurrences; set by the scheduler, not accepted from clients.</summary>
    public const string ScheduleOrigin = "schedule";
    /// <summary>The origin of a sign-in code sent to its user (<c>POST /v1/session/code</c>); its text is hidden from history readers.</summary>
    public const string SignInOrigin = "signin";

    public static QueueRequest? Read(QueueBody body, Scheduler scheduler, Validation v)
    {
        if (body.Id is not null && !MessageIds.TryParse(body.Id, out _))
        {
            v.Add("id", $"'id' {Validation.Echo(body.Id)} is not a message id of the form <senderId>:<unixNanoseconds>; " +
                "get one from POST /v1/history-key or leave it out.");
        }
        var text = ReadText(body.Text, v);
        var to = ReadAddressees(body.To, v);
        scheduler.TryReadSendAt(body.SendAt, "sendAt", v, out var sendAt);
        var origin = body.Origin?.Trim().ToLowerInvariant() ?? "api";
        if (!Origins.Contains(origin))
        {
            v.Add("origin", $"'origin' must be one of {string.Join(", ", Origins)}; got {Validation.Echo(body.Origin!)}.");
        }
        var channels = ReadChannels(body.Channels, v);
        scheduler.TryReadSendAt(body.ExpiresAt, "expiresAt", v, out var expiresAt);
        if (expiresAt is { } e && e <= scheduler.Now)
        {
            v.Add("expiresAt", $"'expiresAt' {Validation.Echo(body.ExpiresAt!)} has passed; it must be after the delivery time.");
        }
        return v.IsValid ? new QueueRequest(body.Id, text, to, sendAt, body.Urgent ?? false, origin, channels, expiresAt) : null;
    }

    /// <summary>
    /// SHA-256 of the canonical request (addressee lists sorted and distinct, the time in UTC ms): the same
    /// id with the same fingerprint is a client's safe retry; with another, a conflict.
    /// </summary>
    public string Fingerprint()
    {
        static string[] Canonical(IEnumerable<string> ids) => [.. ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var to = new { users = Canonical(To.Users), groups = Canonical(To.Groups), supergroups = Canonical(To.Supergroups) };
        var sendAt = Scheduler.Normalize(SendAt);
        // Without 'channels' the canonical form is the one from before the field existed: earlier retries still match.
        var canonical = Channels is null
            ? AdaJson.Serialize(new { text = Text, to, sendAt, urgent = Urgent, origin = Origin })
            : AdaJson.Serialize(new { text = Text, to, sendAt, urgent = Urgent, origin = Origin, channels = Canonical(Channels) });
        if (ExpiresAt is { } expiresAt)
        {
            canonical += "|expiresAt=" + expiresAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The history document of a newly queued message: scheduled, one pending section per expected channel.</summary>
    public HistoryDocument ToHistory(string id, string sender, int recipients, IReadOnlyList<string> channels,
        DateTimeOffset now, DateTimeOffset deliverAt, Rescheduled? rescheduled,
        IReadOnlyDictionary<string, int>? segments = null, string? shortId = null, string? scheduleId = null,
        IReadOnlyList<string>? waiting = null, DateTimeOffset? expiresAt = null, IReadOnlyList<Wave>? waves = null) => new(
        Id: id,
        Sender: sender,
        Origin: Origin,
        Text: Text,
        To: To,
        Recipients: recipients,
        CreatedAt: AdaJson.Timestamp(now),
        RequestedAt: SendAt is { } sendAt ? AdaJson.Timestamp(sendAt) : null,
        DeliverAt: AdaJson.Timestamp(deliverAt),
        DeliverAtMs: deliverAt.ToUnixTimeMilliseconds(),
        Urgent: Urgent,
        Rescheduled: rescheduled,
        State: MessageStates.Scheduled,
        ExpectedChannels: channels,
        Channels: channels.ToDictionary(c => c, c => (waiting?.Contains(c) == true
            ? ChannelSection.New() with { WaitingFor = ChannelSection.WaitingForCourier }
            : ChannelSection.New()) with { Wave = waves is null ? null : 0 }),
        Segments: segments,
        ShortId: shortId,
        ScheduleId: scheduleId,
        ExpiresAt: expiresAt is { } e ? AdaJson.Timestamp(e) : null,
        ExpiresAtMs: expiresAt?.ToUnixTimeMilliseconds(),
        Waves: waves);

    private static string ReadText(string? text, Validation v)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            v.Add("text", "'text' is required and must not be blank.");
            return "";
        }
        if (text.Length > MaxTextLength)
        {
            v.Add("text", $"'text' is {text.Length} characters long; at most {MaxTextLength} are allowed.");
        }
        else if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            v.Add("text", "'text' must not contain control characters other than tab and line breaks.");
        }
        else if (!Validation.IsWellFormed(text))
        {
            v.Add("text", "'text' contains an unpaired UTF-16 surrogate.");
        }
        return text;
    }

    private static List<string>? ReadChannels(List<string?>? channels, Validation v)
    {
        if (channels is null)
        {
            return null;
        }
        if (channels.Count == 0)
        {
            v.Add("channels", $"'channels' must name at least one channel ({string.Join(", ", Core.Messages.Channels.All)}), or be left out.");
        }
        var result = new List<string>();
        for (var i = 0; i < channels.Count; i++)
        {
            var name = channels[i]?.Trim().ToLowerInvariant();
            if (name is null || !Core.Messages.Channels.All.Contains(name))
            {
                v.Add($"channels[{i}]", $"'channels[{i}]' is {(channels[i] is null ? "null" : Validation.Echo(channels[i]!))}, " +
                    $"not a channel Ada knows ({string.Join(", ", Core.Messages.Channels.All)}).");
            }
            else if (!result.Contains(name))
            {
                result.Add(name);
            }
        }
        return result;
    }

    public static Addressees ReadAddressees(AddresseesBody? to, Validation v)
    {
        if (to is null)
        {
            v.Add("to", "'to' is required: {\"users\":[…],\"groups\":[…],\"supergroups\":[…]}.");
            return new([], [], []);
        }
        var addressees = new Addressees(
            v.EntityIds("to.users", to.Users, "user"),
            v.EntityIds("to.groups", to.Groups, "group"),
            v.EntityIds("to.supergroups", to.Supergroups, "supergroup"));
        if ((to.Users?.Count ?? 0) + (to.Groups?.Count ?? 0) + (to.Supergroups?.Count ?? 0) == 0)
        {
            v.Add("to", "'to' must name at least one user, group or supergroup.");
        }
        return addressees;
    }
}
