using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Messages;

/// <summary>Queueing a message and changing it while it waits: reschedule, send now, cancel. Teachers, staff, admins.</summary>
public static class MessagesApi
{
    public static RouteGroupBuilder MapMessages(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1", "Messages", Policies.Sender);

        group.MapPost("/history-key", NewHistoryKey).WithName("NewHistoryKey")
            .WithSummary("Reserve a message id (nothing is written): open its tracker first, then queue with it");
        group.MapPost("/queue", Queue).WithName("Queue")
            .WithSummary("Queue a message to users, groups and supergroups, now or later")
            .WithDescription("Optional 'channels' (e.g. [\"sms\"]) restricts delivery to those channels among the ones whose " +
                "courier is running. A text over a channel's published limits (length, SMS segments) is refused with 400. " +
                "Every refusal carries 'reason' (stable, snake_case: over_quota, not_owner, too_many_segments, …) and 'message' " +
                "(the refusal as a sentence for the sender, in Russian, or English when Accept-Language prefers en). " +
                "Quiet hours apply in each recipient's own time zone (the user's 'timeZone', else Scheduling:TimeZone): when " +
                "recipients' zones give different delivery times, the message goes out in waves (one id) and the answer and " +
                "the history carry 'waves' [{at, atMs, recipients, state, zones:[{zone, recipients}], rescheduled?}]; 'deliverAt' " +
                "is the first wave's, each receipt carries its 'wave', and the message is done (tracker 'complete') after the last.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithBodyLimit(BodyLimits.Queue);
        group.MapPost("/queue/{id}/reschedule", Reschedule).WithName("Reschedule")
            .WithSummary("Move a scheduled message to another time")
            .WithDescription("Quiet hours move the time as when queueing. A message in waves: the waves not started yet are " +
                "planned again from 'sendAt', zone by zone; waves sent or being sent stay. 409 when nothing is left to move.")
            .Produces<HistoryDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/queue/{id}/send-now", SendNow).WithName("SendNow")
            .WithSummary("Deliver a scheduled message at once")
            .WithDescription("Staff and admin: at once. A teacher inside quiet hours: at the window's end, and the answer's " +
                "'rescheduled' says so (as when queueing). A message in waves: the waves not started yet, zone by zone — a " +
                "teacher's send-now moves the recipients whose night it is to the end of their quiet hours, the others now; " +
                "staff and admin send them all now.").Produces<HistoryDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/queue/{id}/cancel", Cancel).WithName("Cancel")
            .WithSummary("Cancel a scheduled or delivering message (idempotent)")
            .WithDescription("A message in waves: the waves already done stay done (their receipts too); the others are " +
                "cancelled and never sent.")
            .Produces<HistoryDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    private static Created<HistoryKeyAnswer> NewHistoryKey(ClaimsPrincipal user, TimeProvider time)
    {
        var id = MessageIds.New(Caller.From(user).Id, time);
        return TypedResults.Created($"/v1/history/{id}", new HistoryKeyAnswer(id, Keys.History(id).ToString()));
    }

    private static async Task<Results<Accepted<QueueAnswer>, ProblemHttpResult>> Queue(
        JsonBody<QueueBody> body, ClaimsPrincipal user, HttpContext http, MessageQueue queue, RefusalTexts texts)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var result = await queue.QueueAsync(Caller.From(user), body.Value!);
        if (result.Refusal is { } refusal)
        {
            if (RefusalProblems.RetryAfter(refusal) is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds;
            }
            return RefusalProblems.ToProblem(refusal, texts.Describe(refusal, RequestLanguage.Of(http.Request)));
        }
        return TypedResults.Accepted($"/v1/history/{result.Answer!.Id}", result.Answer);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Reschedule(
        string id, JsonBody<RescheduleBody> body, ClaimsPrincipal user, Scheduler scheduler, MessageStore messages)
    {
        var caller = Caller.From(user);
        if (MessageAccess.Check(id, caller) is { } denied)
        {
            return denied;
        }
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var v = new Validation();
        if (body.Value!.SendAt is null)
        {
            v.Add("sendAt", "'sendAt' is required: an ISO-8601 date-time with an offset.");
        }
        if (!scheduler.TryReadSendAt(body.Value.SendAt, "sendAt", v, out var sendAt) || !v.IsValid)
        {
            return Problems.Invalid(v);
        }
        if (await messages.GetHistoryAsync(id) is not { } history)
        {
            return MessageAccess.Missing(id);
        }
        if (history.Waves is not null)
        {
            return Changed(id, await MoveWavesAsync(caller, history, sendAt, history.Urgent, scheduler, messages), "rescheduled");
        }
        var (deliverAt, rescheduled) = scheduler.Plan(caller, sendAt, history.Urgent);
        return Changed(id, await messages.RescheduleAsync(id, deliverAt, rescheduled), "rescheduled");
    }

    /// <summary>
    /// Reschedule and send-now of a message in waves act on the waves not started yet: their recipients are planned
    /// again, zone by zone, with the quiet hours of each zone (a teacher's send-now inside a recipient's night moves
    /// that recipient's wave to its morning). Waves already sent, or being sent, stay as they are.
    /// </summary>
    private static async Task<ChangeOutcome> MoveWavesAsync(
        Caller caller, HistoryDocument history, DateTimeOffset? requested, bool urgent, Scheduler scheduler, MessageStore messages)
    {
        var waves = history.Waves!;
        var started = 0;
        while (started < waves.Count && waves[started].State != MessageStates.Scheduled)
        {
            started++;
        }
        if (started == waves.Count || history.State is MessageStates.Done or MessageStates.Cancelled)
        {
            return new ChangeOutcome(ChangeStatus.NotScheduled, null, history.State);
        }
        var (from, end) = history.WaveRange(started)!.Value;
        end = from + waves.Skip(started).Sum(w => (long)w.Recipients);
        var ids = await messages.RecipientsAsync(history.Id, from, end);
        var segments = new List<(string Zone, IReadOnlyList<string> Ids)>();
        var offset = 0;
        foreach (var zone in waves.Skip(started).SelectMany(w => w.Zones))
        {
            segments.Add((zone.Zone, ids.Skip(offset).Take(zone.Recipients).ToList()));
            offset += zone.Recipients;
        }
        var plan = scheduler.PlanSegments(caller, requested, urgent, segments);
        return await messages.RescheduleWavesAsync(history.Id, started, plan.Waves, plan.Rescheduled, plan.Recipients);
    }

    /// <summary>
    /// Now, for staff and admin; a teacher's send-now inside quiet hours becomes a reschedule to the window's
    /// end, and the history's <c>rescheduled</c> says so.
    /// </summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> SendNow(
        string id, ClaimsPrincipal user, Scheduler scheduler, MessageStore messages)
    {
        var caller = Caller.From(user);
        if (MessageAccess.Check(id, caller) is { } denied)
        {
            return denied;
        }
        if (await messages.GetHistoryAsync(id) is { Waves: not null } history)
        {
            return Changed(id, await MoveWavesAsync(caller, history, null, urgent: true, scheduler, messages), "sent now");
        }
        var (deliverAt, rescheduled) = scheduler.Plan(caller, null, urgent: true);
        return rescheduled is null
            ? Changed(id, await messages.SendNowAsync(id, deliverAt), "sent now")
            : Changed(id, await messages.RescheduleAsync(id, deliverAt, rescheduled), "sent now");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Cancel(
        string id, ClaimsPrincipal user, MessageStore messages, TimeProvider time)
    {
        if (MessageAccess.Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        var outcome = await messages.CancelAsync(id, time.GetUtcNow());
        if (outcome is { Status: ChangeStatus.Final, State: MessageStates.Cancelled } && await messages.GetHistoryJsonAsync(id) is { } json)
        {
            return MessageAccess.Json(MessageAccess.Shown(json));
        }
        return outcome is { Status: ChangeStatus.Final }
            ? Problems.Conflict($"Message {id} is {outcome.State}: it was delivered and can no longer be cancelled.")
            : Changed(id, outcome, "cancelled");
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Changed(string id, ChangeOutcome outcome, string what) => outcome switch
    {
        { Changed: true, HistoryJson: { } json } => MessageAccess.Json(MessageAccess.Shown(json)),
        { Status: ChangeStatus.Missing } => MessageAccess.Missing(id),
        _ => Problems.Conflict($"Message {id} is {outcome.State}; only a scheduled message can be {what}."),
    };
}
