using System.Globalization;
using System.Text;
using System.Text.Json;
using Ada.Api.Messages;
using Ada.Core.Couriers;
using Ada.Core.Messages;

namespace Ada.Api.Sms;

/// <summary>
/// The texts Ada answers an SMS with. Plain ASCII where Ada chooses the words, so an answer stays GSM-7
/// (160 characters per SMS, not 70); times are local to <c>Scheduling:TimeZone</c>, as <c>dd.MM HH:mm</c>.
/// </summary>
public sealed class SmsReplies(TimeZoneInfo zone, TimeProvider time)
{
    public const string Grammar =
        "Ada SMS: 'GROUP, GROUP: text' to groups; '@login text' to a person; 'STATUS code' or 'CANCEL code' for a message you sent.";

    public static string Help(string? problem) => problem is null ? Grammar : $"{problem} {Grammar}";

    public static string Student => "Ada: students cannot send messages through Ada.";

    public static string NotSent(string detail) => $"Ada: not sent. {detail}";

    public static string Unresolved(ResolvedAddressees resolved)
    {
        var text = new StringBuilder("Ada: not sent.");
        if (resolved.Unknown.Count > 0)
        {
            text.Append(" Unknown: ").AppendJoin(", ", resolved.Unknown).Append('.');
        }
        if (resolved.Ambiguous.Count > 0)
        {
            text.Append(" Ambiguous, use the id: ").AppendJoin("; ", resolved.Ambiguous).Append('.');
        }
        return text.Append(" Send HELP for the format.").ToString();
    }

    public static string UnknownCode(string typed) =>
        $"Ada: no message of yours has the code {Trim(typed, 20)}. Codes come in Ada's answers and last 30 days.";

    public string Accepted(string code, QueueAnswer answer)
    {
        var deliverAt = Parse(answer.DeliverAt);
        var when = answer.Rescheduled is not null ? $"delivery {Local(deliverAt)} (after quiet hours)"
            : deliverAt - time.GetUtcNow() > TimeSpan.FromMinutes(1) ? $"delivery {Local(deliverAt)}"
            : "delivery now";
        var people = answer.Recipients == 1 ? "1 recipient" : $"{answer.Recipients} recipients";
        return $"Ada: queued {code} to {people}, {when}. STATUS {code} / CANCEL {code}";
    }

    /// <summary><c>A7K2P: done - 23 sent, 1 failed, 2 no contact (telegram 20/0/1, sms 3/1/1; 2 SMS delivered)</c>.</summary>
    public string Status(string code, string historyJson)
    {
        var h = JsonDocument.Parse(historyJson).RootElement;
        var state = h.GetProperty("state").GetString();
        if (state == MessageStates.Scheduled)
        {
            var moved = h.TryGetProperty("rescheduled", out var r) && r.ValueKind == JsonValueKind.Object ? " (after quiet hours)" : "";
            return $"{code}: scheduled for {Local(Parse(h.GetProperty("deliverAt").GetString()!))}{moved}, " +
                $"{h.GetProperty("recipients").GetInt32()} recipients.";
        }
        var (sent, failed, noContact, delivered, perChannel) = Counts(h);
        var totals = $"{sent} sent, {failed} failed, {noContact} no contact";
        var detail = perChannel.Length == 0 ? "" : $" ({perChannel}{(delivered > 0 ? $"; {delivered} SMS delivered" : "")})";
        return state switch
        {
            MessageStates.Done => $"{code}: done - {totals}{detail}",
            MessageStates.Cancelled when sent + failed + noContact == 0 => $"{code}: cancelled before delivery.",
            MessageStates.Cancelled => $"{code}: cancelled - {totals} before{detail}",
            _ => $"{code}: delivering - {totals} so far{detail}",
        };
    }

    public static string Cancelled(string code) => $"Ada: {code} cancelled.";

    public static string NotCancelled(string code, string? state) => state switch
    {
        MessageStates.Cancelled => $"Ada: {code} was already cancelled.",
        MessageStates.Done => $"Ada: {code} is already delivered; it cannot be cancelled. STATUS {code} tells how it went.",
        _ => $"Ada: {code} could not be cancelled ({state}).",
    };

    /// <summary>
    /// Cuts an answer to what the SMS channel's couriers accept (its length and segment caps), so Ada's own
    /// answer is never refused for its length. The cut is marked with "...".
    /// </summary>
    public static string Fit(string text, ChannelLimits? limits)
    {
        var maxLength = limits?.MaxTextLength is > 3 and var length ? length : int.MaxValue;
        var maxSegments = limits?.MaxSmsSegments is > 0 and var segments ? segments : int.MaxValue;
        if (text.Length <= maxLength && SmsSegments.Count(text) <= maxSegments)
        {
            return text;
        }
        var kept = text.Length > maxLength ? text[..maxLength] : text;
        while (kept.Length > 0 && ((kept.Length + 3) > maxLength || SmsSegments.Count(kept + "...") > maxSegments))
        {
            kept = kept[..^(kept.Length > 1 && char.IsLowSurrogate(kept[^1]) ? 2 : 1)];
        }
        return kept + "...";
    }

    private static (int Sent, int Failed, int NoContact, int Delivered, string PerChannel) Counts(JsonElement h)
    {
        int sent = 0, failed = 0, noContact = 0, delivered = 0;
        var parts = new List<string>();
        if (h.TryGetProperty("channels", out var channels) && channels.ValueKind == JsonValueKind.Object)
        {
            foreach (var channel in channels.EnumerateObject())
            {
                var s = Int(channel.Value, "sent");
                var f = Int(channel.Value, "failed");
                var n = Int(channel.Value, "noContact");
                sent += s;
                failed += f;
                noContact += n;
                delivered += Int(channel.Value, "delivered");
                parts.Add($"{channel.Name} {s}/{f}/{n}");
            }
        }
        return (sent, failed, noContact, delivered, string.Join(", ", parts));
    }

    private static int Int(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.TryGetInt32(out var n) ? n : 0;

    private static DateTimeOffset Parse(string timestamp) => DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture);

    private string Local(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("dd.MM HH:mm", CultureInfo.InvariantCulture);

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..max] + "...";
}
