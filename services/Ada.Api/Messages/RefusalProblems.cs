using System.Globalization;
using Ada.Api.Http;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Messages;

/// <summary>
/// A <see cref="Refusal"/> as the API answers it: the status and English <c>detail</c> integrators rely on,
/// the facts as extensions, plus <c>reason</c> (stable, snake_case) and <c>message</c> (the refusal as a
/// sentence for the person, in the request's language, from <see cref="RefusalTexts"/>).
/// </summary>
public static class RefusalProblems
{
    public static ProblemHttpResult ToProblem(Refusal refusal, string message)
    {
        var problem = refusal.Reason == RefusalReason.Invalid
            ? Problems.Invalid(Errors(refusal))
            : Problems.Problem(Status(refusal.Reason), Detail(refusal), Facts(refusal));
        problem.ProblemDetails.Extensions["reason"] = refusal.Code;
        problem.ProblemDetails.Extensions["message"] = message;
        return problem;
    }

    /// <summary>The <c>Retry-After</c> header value (seconds), when the refusal has one.</summary>
    public static string? RetryAfter(Refusal refusal) =>
        refusal.RetryAfter is { } after ? ((long)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : null;

    private static int Status(RefusalReason reason) => reason switch
    {
        RefusalReason.Forbidden or RefusalReason.UrgentNotAllowed or RefusalReason.NotOwner => StatusCodes.Status403Forbidden,
        RefusalReason.NoCourier or RefusalReason.Conflict => StatusCodes.Status409Conflict,
        RefusalReason.OverQuota or RefusalReason.TooManyRecipients => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The English <c>detail</c> of the problem (also recorded where no HTTP answer is made: a schedule's occurrence).</summary>
    public static string Detail(Refusal r) => r.Reason switch
    {
        RefusalReason.Invalid => Problems.InvalidDetail(Errors(r)),
        RefusalReason.Forbidden =>
            $"Message id {r.MessageId} belongs to sender {Validation.Echo(r.Owner!)}; queue with your own id.",
        RefusalReason.IdNotFromAda =>
            $"Message id {r.MessageId} was not made by Ada: on a Redis Cluster, ids come from POST /v1/history-key " +
            "(they hash to a due shard's slot); ask for one there, or leave 'id' out.",
        RefusalReason.UrgentNotAllowed =>
            "Teachers cannot send urgent messages (urgent skips quiet hours); leave 'urgent' out or false.",
        RefusalReason.UnknownAddressees => $"Some addressees are not in the directory; {UnknownParts(r.Addressees!)}.",
        RefusalReason.NotOwner => NotOwnedDetail(r.Addressees!),
        // Channels are a registry (a channel is expected once a courier of it registered): refused only when none is.
        RefusalReason.NoCourier => r.RequestedChannels is null
            ? "No courier is running for any channel, and none ever registered one; start one (see README)."
            : $"No courier has registered the requested channels ({string.Join(", ", r.RequestedChannels)}); " +
              $"registered: {(r.RunningChannels is not { Count: > 0 } running ? "none" : string.Join(", ", running))}.",
        RefusalReason.TextTooLong => $"'text' is {r.Count} characters long; the {r.Channel} channel takes at most {r.Limit}.",
        RefusalReason.TooManySegments =>
            $"'text' needs {r.Count} SMS segments in {EncodingName(r.Encoding)} ({PerSegment(r.Encoding)} characters per segment" +
            (r.Encoding == SmsEncoding.Ucs2 ? "; any Cyrillic letter or emoji means UCS-2" : "") +
            $"); the {r.Channel} channel takes at most {r.Limit} segments per message. Shorten the text.",
        RefusalReason.OverQuota =>
            $"The {r.Role} limit of {r.Limit} messages per hour is reached; retry in {RetryAfter(r)} s.",
        RefusalReason.TooManyRecipients when r.Field is not null =>
            $"'{r.Field}' lists {r.Count} ids; the {r.Role} limit is {r.Limit} recipients per message.",
        RefusalReason.TooManyRecipients =>
            $"The message has {r.Count} recipients; the {r.Role} limit is {r.Limit} recipients per message.",
        RefusalReason.Conflict =>
            $"Message {r.MessageId} was already queued with other content; use a new id (POST /v1/history-key).",
        _ => r.Code,
    };

    private static IReadOnlyDictionary<string, string[]> Errors(Refusal r) => r.Errors ?? new Dictionary<string, string[]>();

    private static Dictionary<string, object?>? Facts(Refusal r) => r.Reason switch
    {
        RefusalReason.UnknownAddressees => new()
        {
            ["unknown"] = new { users = r.Addressees!.Users, groups = r.Addressees.Groups, supergroups = r.Addressees.Supergroups },
        },
        RefusalReason.TextTooLong => new() { ["channel"] = r.Channel, ["length"] = r.Count, ["maxLength"] = r.Limit },
        RefusalReason.TooManySegments => new()
        {
            ["channel"] = r.Channel, ["segments"] = r.Count, ["maxSegments"] = r.Limit, ["encoding"] = EncodingName(r.Encoding),
        },
        _ => null,
    };

    public static string EncodingName(SmsEncoding? encoding) => encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2";

    /// <summary>Characters per part of a multi-part SMS.</summary>
    public static int PerSegment(SmsEncoding? encoding) => encoding == SmsEncoding.Gsm7 ? 153 : 67;

    private static string UnknownParts(Addressees unknown)
    {
        var parts = new List<string>();
        foreach (var (what, ids) in new[] { ("users", unknown.Users), ("groups", unknown.Groups), ("supergroups", unknown.Supergroups) })
        {
            if (ids.Count > 0)
            {
                parts.Add($"unknown {what}: {Problems.List(ids)}");
            }
        }
        return string.Join("; ", parts);
    }

    private static string NotOwnedDetail(Addressees notOwned)
    {
        var parts = new List<string>();
        if (notOwned.Groups.Count > 0)
        {
            parts.Add($"groups {Problems.List(notOwned.Groups)}");
        }
        if (notOwned.Supergroups.Count > 0)
        {
            parts.Add($"supergroups {Problems.List(notOwned.Supergroups)}");
        }
        return "Teachers may address only the groups and supergroups they own; " +
            $"these are not in the directory or not yours: {string.Join(" and ", parts)}.";
    }
}
