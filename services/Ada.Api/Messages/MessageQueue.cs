using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Hosting;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;

namespace Ada.Api.Messages;

/// <summary>Either the 202 answer (also for a safe retry of the same request) or the refusal.</summary>
public sealed record QueueResult(QueueAnswer? Answer, Refusal? Refusal)
{
    public static implicit operator QueueResult(Refusal refusal) => new(null, refusal);
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
    /// <param name="scheduleId">The schedule this message is an occurrence of: origin <c>schedule</c>, recorded in the history.</param>
    /// <param name="origin">An origin Ada sets itself (<see cref="QueueRequest.SignInOrigin"/>), not one a client may give.</param>
    public async Task<QueueResult> QueueAsync(Caller caller, QueueBody body, string? shortId = null, string? scheduleId = null,
        string? origin = null)
    {
        var (refusal, accepted) = await CheckAsync(caller, body);
        if (refusal is not null)
        {
            return refusal;
        }
        var (request, expansion, (channels, waiting, _), segments) = accepted!;
        if (scheduleId is not null || origin is not null)
        {
            request = request with { Origin = origin ?? QueueRequest.ScheduleOrigin };
        }

        var (deliverAt, rescheduled) = scheduler.Plan(caller, request.SendAt, request.Urgent);
        // Quiet hours in each recipient's own zone: recipients whose night it is go in a later wave.
        var waves = scheduler.PlanWaves(caller, request.SendAt, request.Urgent, expansion.Recipients,
            await directory.ZonesAsync(expansion.Recipients));
        var recipients = expansion.Recipients;
        if (waves is not null)
        {
            (deliverAt, rescheduled, recipients) = (waves.DeliverAt, waves.Rescheduled, waves.Recipients);
        }
        // Every wave must be able to go before the message expires: the check and the default use the last.
        var lastAt = waves?.LastAt ?? deliverAt;
        if (!scheduler.TryPlanExpiry(request.ExpiresAt, lastAt, out var expiresAt))
        {
            return Refusal.Invalid(new Dictionary<string, string[]>
            {
                ["expiresAt"] = [$"'expiresAt' ({AdaJson.Timestamp(expiresAt!.Value)}) is not after the delivery time " +
                    $"({AdaJson.Timestamp(lastAt)}" +
                    (rescheduled is null ? ")." : ", moved out of quiet hours); send it as urgent or give a later 'expiresAt'.")],
            });
        }
        var roleLimits = limits.Value.For(caller.Role);
        string id;
        QueueAnswer answer;
        EnqueueOutcome outcome;
        var attempts = 0;
        do
        {
            // An id Ada made can meet another API instance's (same sender, same instant): make another.
            id = request.Id ?? MessageIds.New(caller.Id, time);
            answer = new QueueAnswer(id, AdaJson.Timestamp(deliverAt), rescheduled, expansion.Recipients.Count, channels, segments,
                waiting.Count > 0 ? waiting : null, expiresAt is { } e ? AdaJson.Timestamp(e) : null, waves?.Waves);
            var history = request.ToHistory(id, caller.Id, expansion.Recipients.Count, channels, scheduler.Now, deliverAt,
                rescheduled, segments, shortId, scheduleId, waiting, expiresAt, waves?.Waves);
            outcome = await messages.EnqueueAsync(new EnqueueCommand(
                history, request.Fingerprint(), AdaJson.Serialize(answer), recipients,
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
                var retryAfter = TimeSpan.FromSeconds(Math.Ceiling(quota.RetryAfter.TotalSeconds));
                return Refusal.OverQuota(caller.Role, quota.Limit, retryAfter, scheduler.Now + retryAfter);
            case EnqueueOutcome.TooManyRecipients tooMany:
                return Refusal.TooManyRecipients(caller.Role, tooMany.Count, tooMany.Limit);
            default:
                return Refusal.Conflict(id);
        }
    }

    /// <summary>
    /// Everything <see cref="QueueAsync"/> checks before the quotas, writing nothing: the refusal, or null when there
    /// is none. A schedule is checked like this when it is made.
    /// </summary>
    public async Task<Refusal?> RefusalAsync(Caller caller, QueueBody body) => (await CheckAsync(caller, body)).Refusal;

    /// <summary>
    /// The refusal, or how many people the message reaches, writing nothing (the quotas are not checked):
    /// an SMS to many people asks for a confirmation first.
    /// </summary>
    public async Task<(Refusal? Refusal, int Recipients)> PreviewAsync(Caller caller, QueueBody body)
    {
        var (refusal, accepted) = await CheckAsync(caller, body);
        return (refusal, accepted?.Expansion.Recipients.Count ?? 0);
    }

    /// <summary>The request as it will be queued, with what it expands to, or why not.</summary>
    private sealed record Accepted(
        QueueRequest Request, Expansion Expansion, ExpectedChannels Expected, IReadOnlyDictionary<string, int>? Segments);

    /// <summary>Validation, permissions, addressees, expected channels and their text limits: everything but the quotas.</summary>
    private async Task<(Refusal? Refusal, Accepted? Accepted)> CheckAsync(Caller caller, QueueBody body)
    {
        if (TooManyListed(caller, body.To) is { } overLong)
        {
            return (overLong, null);
        }
        var v = new Validation();
        if (QueueRequest.Read(body, scheduler, v) is not { } request)
        {
            return (Refusal.Invalid(v.Errors), null);
        }
        if (request.Id is not null && MessageIds.TryParse(request.Id, out var owner) && owner != caller.Id)
        {
            return (Refusal.Forbidden(request.Id, owner), null);
        }
        if (request.Id is not null && !MessageIds.IsSlotAligned(request.Id) && messages.IsCluster)
        {
            return (Refusal.IdNotFromAda(request.Id), null);
        }
        if (request.Urgent && !Scheduler.MaySkipQuietHours(caller.Role))
        {
            return (Refusal.UrgentNotAllowed(caller.Role), null);
        }

        var expansion = await directory.ExpandAsync(request.To);
        // First for teachers: a group that does not exist and one that is not theirs get the same answer,
        // so a teacher cannot learn which group ids exist.
        if (caller.Role == Roles.Teacher && NotOwned(expansion, caller.Id) is { } notOwned)
        {
            return (notOwned, null);
        }
        if (expansion.HasUnknown)
        {
            return (Refusal.UnknownAddressees(new Addressees(expansion.UnknownUsers, expansion.UnknownGroups, expansion.UnknownSupergroups)), null);
        }
        // Registered channels, whether or not their courier runs now: a message waits for a courier that is down.
        var expected = await couriers.ExpectedAsync(request.Channels);
        if (expected.Channels.Count == 0)
        {
            // Refused only when no requested channel was ever registered; RunningChannels lists the registered ones.
            return (Refusal.NoCourier(request.Channels, expected.Registered), null);
        }
        var (tooLong, segments) = await CheckTextAsync(request.Text, expected.Channels);
        return tooLong is not null ? (tooLong, null) : (null, new Accepted(request, expansion, expected, segments));
    }

    /// <summary>
    /// A list longer than the caller's recipients per message cannot be sent, whatever it holds: refused
    /// before any id is read, so a huge list costs nothing but its parsing (bounded by the body limit).
    /// </summary>
    private Refusal? TooManyListed(Caller caller, AddresseesBody? to)
    {
        if (to is null || caller.Role is not (Roles.Teacher or Roles.Staff or Roles.Admin))
        {
            return null;
        }
        var limit = limits.Value.For(caller.Role).RecipientsPerMessage;
        if (limit == 0)
        {
            return null;
        }
        foreach (var (name, list) in new[] { ("to.users", to.Users), ("to.groups", to.Groups), ("to.supergroups", to.Supergroups) })
        {
            if (list?.Count > limit)
            {
                return Refusal.TooManyRecipients(caller.Role, list.Count, limit, name);
            }
        }
        return null;
    }

    /// <summary>
    /// What each expected channel's couriers said they accept (<c>limits:&lt;channel&gt;</c>): a text over a
    /// channel's length or SMS segment cap is refused now rather than failed later. Returns the segment count
    /// per channel that counts segments.
    /// </summary>
    private async Task<(Refusal? Refusal, IReadOnlyDictionary<string, int>? Segments)> CheckTextAsync(
        string text, IReadOnlyList<string> channels)
    {
        // One read of the registry (cached, as ExpectedAsync just read it), not one per channel.
        var registered = await couriers.ChannelsAsync();
        Dictionary<string, int>? segments = null;
        SmsSplit? split = null;
        for (var i = 0; i < channels.Count; i++)
        {
            if (registered.FirstOrDefault(c => c.Name == channels[i])?.Limits is not { } channelLimits)
            {
                continue;
            }
            if (channelLimits.MaxTextLength is { } maxLength && text.Length > maxLength)
            {
                return (Refusal.TextTooLong(channels[i], text.Length, maxLength), null);
            }
            if (channelLimits.MaxSmsSegments is not { } maxSegments)
            {
                continue;
            }
            split ??= SmsSegments.Split(text);
            if (split.Count > maxSegments)
            {
                return (Refusal.TooManySegments(channels[i], split.Count, maxSegments, split.Encoding), null);
            }
            (segments ??= new Dictionary<string, int>(StringComparer.Ordinal))[channels[i]] = split.Count;
        }
        return (null, segments);
    }

    /// <summary>
    /// Teachers may write to any user, but to a group or supergroup only when they own it. Unknown groups and
    /// supergroups are named alike, without saying which ones exist.
    /// </summary>
    internal static Refusal? NotOwned(Expansion expansion, string teacherId)
    {
        var groups = expansion.Groups.Where(g => !g.Owners.Contains(teacherId)).Select(g => g.Id).Concat(expansion.UnknownGroups)
            .Order(StringComparer.Ordinal).ToList();
        var supergroups = expansion.Supergroups.Where(s => !s.Owners.Contains(teacherId)).Select(s => s.Id).Concat(expansion.UnknownSupergroups)
            .Order(StringComparer.Ordinal).ToList();
        return groups.Count + supergroups.Count == 0 ? null : Refusal.NotOwner(groups, supergroups);
    }
}
