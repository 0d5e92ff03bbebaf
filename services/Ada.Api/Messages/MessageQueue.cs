using System.Globalization;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Hosting;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Messages;

/// <summary>Why a message was not queued: a short reason for callers that branch on it, and the problem to answer.</summary>
public sealed record QueueRefusal(string Reason, ProblemHttpResult Problem, TimeSpan? RetryAfter = null)
{
    public const string Invalid = "invalid";
    public const string Forbidden = "forbidden";
    public const string UnknownAddressees = "unknown_addressees";
    public const string NotOwner = "not_owner";
    public const string NoCourier = "no_courier";
    public const string TooLong = "too_long";
    public const string OverQuota = "over_quota";
    public const string TooManyRecipients = "too_many_recipients";
    public const string Conflict = "conflict";

    public string Detail => Problem.ProblemDetails.Detail ?? "";
}

/// <summary>Either the 202 answer (also for a safe retry of the same request) or the refusal.</summary>
public sealed record QueueResult(QueueAnswer? Answer, QueueRefusal? Refusal)
{
    public static implicit operator QueueResult(QueueRefusal refusal) => new(null, refusal);
}

/// <summary>
/// The one way a message gets queued, whatever it came through (<c>POST /v1/queue</c>, an SMS from a
/// teacher, Ada's own replies): validation, permissions, expected channels and their text limits, quiet
/// hours, quotas and idempotency, then the <c>enqueue</c> script.
/// </summary>
public sealed class MessageQueue(
    Scheduler scheduler, DirectoryStore directory, CourierRegistry couriers, MessageStore messages,
    IOptions<LimitsOptions> limits, TimeProvider time, ILogger<MessageQueue> logger)
{
    /// <param name="caller">The sender: the token's user, or the user an SMS came from.</param>
    /// <param name="body">The request as a client would send it to <c>POST /v1/queue</c>.</param>
    /// <param name="shortId">The code the sender types to refer to this message (SMS), recorded in the history.</param>
    public async Task<QueueResult> QueueAsync(Caller caller, QueueBody body, string? shortId = null)
    {
        var v = new Validation();
        if (QueueRequest.Read(body, scheduler, v) is not { } request)
        {
            return new QueueRefusal(QueueRefusal.Invalid, Problems.Invalid(v));
        }
        if (request.Id is not null && MessageIds.TryParse(request.Id, out var owner) && owner != caller.Id)
        {
            return Refuse(QueueRefusal.Forbidden, Problems.Forbidden(
                $"Message id {request.Id} belongs to sender {Validation.Echo(owner)}; queue with your own id."));
        }
        if (request.Id is not null && !MessageIds.IsSlotAligned(request.Id) && messages.IsCluster)
        {
            return new QueueRefusal(QueueRefusal.Invalid, Problems.BadRequest(
                $"Message id {request.Id} was not made by Ada: on a Redis Cluster, ids come from POST /v1/history-key " +
                "(they hash to a due shard's slot); ask for one there, or leave 'id' out."));
        }
        if (request.Urgent && caller.Role == Roles.Teacher)
        {
            return Refuse(QueueRefusal.Forbidden, Problems.Forbidden(
                "Teachers cannot send urgent messages (urgent skips quiet hours); leave 'urgent' out or false."));
        }

        var expansion = await directory.ExpandAsync(request.To);
        if (expansion.HasUnknown)
        {
            return Refuse(QueueRefusal.UnknownAddressees, Unknown(expansion));
        }
        if (caller.Role == Roles.Teacher && NotOwned(expansion, caller.Id) is { } notOwned)
        {
            return Refuse(QueueRefusal.NotOwner, notOwned);
        }
        var alive = await couriers.AliveChannelsAsync();
        var channels = request.Channels is null ? alive : [.. alive.Where(request.Channels.Contains)];
        if (channels.Count == 0)
        {
            return Refuse(QueueRefusal.NoCourier, Problems.Conflict(request.Channels is null
                ? "No courier is running for any channel; start one (see README)."
                : $"No courier is running for the requested channels ({string.Join(", ", request.Channels)}); " +
                  $"running: {(alive.Count == 0 ? "none" : string.Join(", ", alive))}."));
        }
        var (tooLong, segments) = await CheckTextAsync(request.Text, channels);
        if (tooLong is not null)
        {
            return Refuse(QueueRefusal.TooLong, tooLong);
        }

        var (deliverAt, rescheduled) = scheduler.Plan(request.SendAt, request.Urgent);
        var roleLimits = limits.Value.For(caller.Role);
        string id;
        QueueAnswer answer;
        EnqueueOutcome outcome;
        var attempts = 0;
        do
        {
            // An id Ada made can meet another API instance's (same sender, same instant): make another.
            id = request.Id ?? MessageIds.New(caller.Id, time);
            answer = new QueueAnswer(id, AdaJson.Timestamp(deliverAt), rescheduled, expansion.Recipients.Count, channels, segments);
            var history = request.ToHistory(id, caller.Id, expansion.Recipients.Count, channels, scheduler.Now, deliverAt,
                rescheduled, segments, shortId);
            outcome = await messages.EnqueueAsync(new EnqueueCommand(
                history, request.Fingerprint(), AdaJson.Serialize(answer), expansion.Recipients,
                roleLimits.MessagesPerHour, roleLimits.RecipientsPerMessage));
        }
        while (outcome is EnqueueOutcome.Conflict && request.Id is null && ++attempts < 3);

        switch (outcome)
        {
            case EnqueueOutcome.Accepted:
                AdaMetrics.MessagesQueued.WithLabels(request.Origin).Inc();
                logger.LogInformation("Queued {MessageId} from {Sender} via {Origin} to {Recipients} recipients at {DeliverAt}",
                    id, caller.Id, request.Origin, answer.Recipients, answer.DeliverAt);
                return new QueueResult(answer, null);
            case EnqueueOutcome.Duplicate duplicate:
                return new QueueResult(AdaJson.Deserialize<QueueAnswer>(duplicate.AnswerJson), null);
            case EnqueueOutcome.OverQuota quota:
                var seconds = (long)Math.Ceiling(quota.RetryAfter.TotalSeconds);
                return new QueueRefusal(QueueRefusal.OverQuota, Problems.TooManyRequests(
                    $"The {caller.Role} limit of {quota.Limit} messages per hour is reached; retry in {seconds} s."),
                    TimeSpan.FromSeconds(seconds));
            case EnqueueOutcome.TooManyRecipients tooMany:
                return Refuse(QueueRefusal.TooManyRecipients, Problems.TooManyRequests(
                    $"The message has {tooMany.Count} recipients; the {caller.Role} limit is {tooMany.Limit} recipients per message."));
            default:
                return Refuse(QueueRefusal.Conflict, Problems.Conflict(
                    $"Message {id} was already queued with other content; use a new id (POST /v1/history-key)."));
        }
    }

    private static QueueRefusal Refuse(string reason, ProblemHttpResult problem) => new(reason, problem);

    /// <summary>
    /// What each expected channel's couriers said they accept (<c>limits:&lt;channel&gt;</c>): a text over a
    /// channel's length or SMS segment cap is refused now rather than failed later. Returns the segment count
    /// per channel that counts segments.
    /// </summary>
    private async Task<(ProblemHttpResult? Problem, IReadOnlyDictionary<string, int>? Segments)> CheckTextAsync(
        string text, IReadOnlyList<string> channels)
    {
        var published = await Task.WhenAll(channels.Select(couriers.GetLimitsAsync));
        Dictionary<string, int>? segments = null;
        SmsSplit? split = null;
        for (var i = 0; i < channels.Count; i++)
        {
            if (published[i] is not { } channelLimits)
            {
                continue;
            }
            if (channelLimits.MaxTextLength is { } maxLength && text.Length > maxLength)
            {
                return (Problems.BadRequest(
                    $"'text' is {text.Length} characters long; the {channels[i]} channel takes at most {maxLength}.",
                    new Dictionary<string, object?> { ["channel"] = channels[i], ["length"] = text.Length, ["maxLength"] = maxLength }), null);
            }
            if (channelLimits.MaxSmsSegments is not { } maxSegments)
            {
                continue;
            }
            split ??= SmsSegments.Split(text);
            if (split.Count > maxSegments)
            {
                var (encoding, perSegment) = split.Encoding == SmsEncoding.Gsm7 ? ("GSM-7", 153) : ("UCS-2", 67);
                return (Problems.BadRequest(
                    $"'text' needs {split.Count} SMS segments in {encoding} ({perSegment} characters per segment" +
                    (split.Encoding == SmsEncoding.Ucs2 ? "; any Cyrillic letter or emoji means UCS-2" : "") +
                    $"); the {channels[i]} channel takes at most {maxSegments} segments per message. Shorten the text.",
                    new Dictionary<string, object?>
                    {
                        ["channel"] = channels[i], ["segments"] = split.Count, ["maxSegments"] = maxSegments, ["encoding"] = encoding,
                    }), null);
            }
            (segments ??= new Dictionary<string, int>(StringComparer.Ordinal))[channels[i]] = split.Count;
        }
        return (null, segments);
    }

    internal static ProblemHttpResult Unknown(Expansion expansion)
    {
        var parts = new List<string>();
        foreach (var (what, ids) in new[]
        {
            ("users", expansion.UnknownUsers), ("groups", expansion.UnknownGroups), ("supergroups", expansion.UnknownSupergroups),
        })
        {
            if (ids.Count > 0)
            {
                parts.Add($"unknown {what}: {Problems.List(ids)}");
            }
        }
        return Problems.BadRequest($"Some addressees are not in the directory; {string.Join("; ", parts)}.", new Dictionary<string, object?>
        {
            ["unknown"] = new
            {
                users = expansion.UnknownUsers,
                groups = expansion.UnknownGroups,
                supergroups = expansion.UnknownSupergroups,
            },
        });
    }

    /// <summary>Teachers may write to any user, but to a group or supergroup only when they own it.</summary>
    internal static ProblemHttpResult? NotOwned(Expansion expansion, string teacherId)
    {
        var groups = expansion.Groups.Where(g => !g.Owners.Contains(teacherId)).Select(g => g.Id).ToList();
        var supergroups = expansion.Supergroups.Where(s => !s.Owners.Contains(teacherId)).Select(s => s.Id).ToList();
        if (groups.Count + supergroups.Count == 0)
        {
            return null;
        }
        var parts = new List<string>();
        if (groups.Count > 0)
        {
            parts.Add($"groups {Problems.List(groups)}");
        }
        if (supergroups.Count > 0)
        {
            parts.Add($"supergroups {Problems.List(supergroups)}");
        }
        return Problems.Forbidden($"Teachers may address only the groups and supergroups they own; you do not own {string.Join(" and ", parts)}.");
    }

    /// <summary>The <c>Retry-After</c> header value of a refusal, when it has one.</summary>
    public static string? RetryAfterHeader(QueueRefusal refusal) =>
        refusal.RetryAfter is { } after ? ((long)after.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null;
}
