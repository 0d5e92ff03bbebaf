using Ada.Api.Auth;
using Ada.Api.Messages;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Schedules;
using Microsoft.Extensions.Options;

namespace Ada.Api.Schedules;

/// <summary>
/// Fires one due tick of a schedule: decides which occurrences are sent or skipped (<see cref="ScheduleClock.Plan"/>),
/// queues the one to send through <see cref="MessageQueue"/> as its owner is now, and advances the tick. The message
/// id of an occurrence is derived from the schedule and the instant, so an instance that takes over a tick from a
/// crashed one repeats the same request — an idempotent retry — and there is one message per occurrence.
/// </summary>
public sealed class ScheduleFirer(
    ScheduleStore schedules, MessageStore messages, MessageQueue queue, RefusalTexts texts, DirectoryStore directory,
    IOptions<AdaOptions> ada, IOptions<SchedulesOptions> options, TimeProvider time, ILogger<ScheduleFirer> logger)
{
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Fires the schedule's tick if it is due and no other instance is firing it; otherwise does nothing.</summary>
    public async Task FireAsync(string id)
    {
        var now = time.GetUtcNow();
        if (await schedules.GetAsync(id) is not { State: ScheduleStates.Active, NextMs: { } tickMs } schedule
            || tickMs > now.ToUnixTimeMilliseconds()
            || !await schedules.TryClaimAsync(id, Owner, TimeSpan.FromSeconds(options.Value.LeaseSeconds)))
        {
            return;
        }
        var (cron, zone, _, until) = schedule.Definition.Timing();
        var plan = ScheduleClock.Plan(cron, zone, schedule.Next!.Value, now, until);
        var handledAt = AdaJson.Timestamp(now);
        var records = new List<Occurrence>();
        foreach (var (at, reason) in plan.Skipped)
        {
            // A skipped occurrence within the hour may have been queued by an instance that crashed before advancing.
            records.Add(reason == ScheduleClock.Superseded || at == plan.Skipped[^1].At
                ? await QueuedAlreadyAsync(id, at, handledAt) ?? Skipped(at, reason, handledAt)
                : Skipped(at, reason, handledAt));
        }
        if (plan.Send is { } send)
        {
            records.Add(await QueueAsync(schedule.Definition, send, handledAt));
        }
        if (!await schedules.AdvanceAsync(id, tickMs, Owner, plan.Next, records))
        {
            logger.LogInformation("Schedule {ScheduleId} changed while its tick {Tick} was fired; left as it is", id, tickMs);
        }
    }

    private async Task<Occurrence> QueueAsync(ScheduleDefinition schedule, DateTimeOffset at, string handledAt)
    {
        var when = AdaJson.Timestamp(at);
        if (await OwnerAsync(schedule.Owner) is not { } caller)
        {
            return Refused(schedule, when, OwnerNotASender,
                $"The owner {schedule.Owner} is no longer a teacher, staff member or admin in the directory.",
                $"Владелец расписания {schedule.Owner} больше не может отправлять сообщения.", handledAt);
        }
        var id = ScheduleIds.OccurrenceMessageId(schedule.Id, at);
        var body = new QueueBody(id, schedule.Text,
            new AddresseesBody([.. schedule.To.Users], [.. schedule.To.Groups], [.. schedule.To.Supergroups]),
            null, schedule.Urgent, null, schedule.Channels is { } channels ? [.. channels] : null);
        var result = await queue.QueueAsync(caller, body, scheduleId: schedule.Id);
        if (result.Refusal is { } refusal)
        {
            return Refused(schedule, when, refusal.Code, RefusalProblems.Detail(refusal), texts.Describe(refusal), handledAt);
        }
        logger.LogInformation("Schedule {ScheduleId} occurrence {At} queued as {MessageId}", schedule.Id, when, result.Answer!.Id);
        return new Occurrence(when, OccurrenceStatus.Queued, MessageId: result.Answer.Id, DeliverAt: result.Answer.DeliverAt, HandledAt: handledAt);
    }

    private async Task<Occurrence?> QueuedAlreadyAsync(string scheduleId, DateTimeOffset at, string handledAt) =>
        await messages.GetHistoryAsync(ScheduleIds.OccurrenceMessageId(scheduleId, at)) is { } history && history.ScheduleId == scheduleId
            ? new Occurrence(AdaJson.Timestamp(at), OccurrenceStatus.Queued, MessageId: history.Id, DeliverAt: history.DeliverAt, HandledAt: handledAt)
            : null;

    /// <summary>The owner as a sender now: the bootstrap admin, or a teacher, staff member or admin of the directory.</summary>
    private async Task<Caller?> OwnerAsync(string ownerId)
    {
        if (ownerId == ada.Value.AdminUserId)
        {
            return new Caller(ownerId, Roles.Admin);
        }
        return await directory.GetUserAsync(ownerId) is { Role: Roles.Teacher or Roles.Staff or Roles.Admin } user
            ? new Caller(user.Id, user.Role)
            : null;
    }

    /// <summary>The reason of an occurrence whose owner can no longer send (deleted from the directory, or a student now).</summary>
    public const string OwnerNotASender = "owner_not_a_sender";

    private Occurrence Refused(ScheduleDefinition schedule, string at, string reason, string detail, string message, string handledAt)
    {
        logger.LogWarning("Schedule {ScheduleId} occurrence {At} refused: {Reason} {Detail}", schedule.Id, at, reason, detail);
        return new Occurrence(at, OccurrenceStatus.Refused, Reason: reason, Detail: detail, Message: message, HandledAt: handledAt);
    }

    private static Occurrence Skipped(DateTimeOffset at, string reason, string handledAt) =>
        new(AdaJson.Timestamp(at), OccurrenceStatus.Skipped, Reason: reason, HandledAt: handledAt);
}
