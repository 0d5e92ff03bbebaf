using System.Globalization;
using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Hosting;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Messages;

/// <summary>Queueing a message and changing it while it waits: reschedule, send now, cancel. Teachers, staff, admins.</summary>
public static class MessagesApi
{
    public static RouteGroupBuilder MapMessages(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("Messages").RequireAuthorization(Policies.Sender)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/history-key", NewHistoryKey).WithName("NewHistoryKey")
            .WithSummary("Reserve a message id (nothing is written): open its tracker first, then queue with it");
        group.MapPost("/queue", Queue).WithName("Queue")
            .WithSummary("Queue a message to users, groups and supergroups, now or later")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/queue/{id}/reschedule", Reschedule).WithName("Reschedule")
            .WithSummary("Move a scheduled message to another time").Produces<HistoryDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/queue/{id}/send-now", SendNow).WithName("SendNow")
            .WithSummary("Deliver a scheduled message at once").Produces<HistoryDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/queue/{id}/cancel", Cancel).WithName("Cancel")
            .WithSummary("Cancel a scheduled or delivering message (idempotent)").Produces<HistoryDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    private static Created<HistoryKeyAnswer> NewHistoryKey(ClaimsPrincipal user, TimeProvider time)
    {
        var id = MessageIds.New(Caller.From(user).Id, time);
        return TypedResults.Created($"/v1/history/{id}", new HistoryKeyAnswer(id, Keys.History(id).ToString()));
    }

    private static async Task<Results<Accepted<QueueAnswer>, ProblemHttpResult>> Queue(
        JsonBody<QueueBody> body, ClaimsPrincipal user, HttpContext http, Scheduler scheduler, DirectoryStore directory,
        CourierRegistry couriers, MessageStore messages, IOptions<LimitsOptions> limits, TimeProvider time, ILoggerFactory loggers)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var caller = Caller.From(user);
        var v = new Validation();
        if (QueueRequest.Read(body.Value!, scheduler, v) is not { } request)
        {
            return Problems.Invalid(v);
        }
        if (request.Id is not null && MessageIds.TryParse(request.Id, out var owner) && owner != caller.Id)
        {
            return Problems.Forbidden($"Message id {request.Id} belongs to sender {Validation.Echo(owner)}; queue with your own id.");
        }
        if (request.Urgent && caller.Role == Roles.Teacher)
        {
            return Problems.Forbidden("Teachers cannot send urgent messages (urgent skips quiet hours); leave 'urgent' out or false.");
        }

        var expansion = await directory.ExpandAsync(request.To);
        if (expansion.HasUnknown)
        {
            return Unknown(expansion);
        }
        if (caller.Role == Roles.Teacher && NotOwned(expansion, caller.Id) is { } notOwned)
        {
            return notOwned;
        }
        var channels = await couriers.AliveChannelsAsync();
        if (channels.Count == 0)
        {
            return Problems.Conflict("No courier is running for any channel; start one (see README).");
        }

        var (deliverAt, rescheduled) = scheduler.Plan(request.SendAt, request.Urgent);
        var id = request.Id ?? MessageIds.New(caller.Id, time);
        var answer = new QueueAnswer(id, AdaJson.Timestamp(deliverAt), rescheduled, expansion.Recipients.Count, channels);
        var history = request.ToHistory(id, caller.Id, expansion.Recipients.Count, channels, scheduler.Now, deliverAt, rescheduled);
        var roleLimits = limits.Value.For(caller.Role);
        var outcome = await messages.EnqueueAsync(new EnqueueCommand(
            history, request.Fingerprint(), AdaJson.Serialize(answer), expansion.Recipients,
            roleLimits.MessagesPerHour, roleLimits.RecipientsPerMessage));

        switch (outcome)
        {
            case EnqueueOutcome.Accepted:
                AdaMetrics.MessagesQueued.WithLabels(request.Origin).Inc();
                loggers.CreateLogger(typeof(MessagesApi)).LogInformation("Queued {MessageId} from {Sender} via {Origin} to {Recipients} recipients at {DeliverAt}",
                    id, caller.Id, request.Origin, answer.Recipients, answer.DeliverAt);
                return TypedResults.Accepted($"/v1/history/{id}", answer);
            case EnqueueOutcome.Duplicate duplicate:
                return TypedResults.Accepted($"/v1/history/{id}", AdaJson.Deserialize<QueueAnswer>(duplicate.AnswerJson));
            case EnqueueOutcome.OverQuota quota:
                var seconds = (long)Math.Ceiling(quota.RetryAfter.TotalSeconds);
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Problems.TooManyRequests(
                    $"The {caller.Role} limit of {quota.Limit} messages per hour is reached; retry in {seconds} s.");
            case EnqueueOutcome.TooManyRecipients tooMany:
                return Problems.TooManyRequests(
                    $"The message has {tooMany.Count} recipients; the {caller.Role} limit is {tooMany.Limit} recipients per message.");
            default:
                return Problems.Conflict($"Message {id} was already queued with other content; use a new id (POST /v1/history-key).");
        }
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Reschedule(
        string id, JsonBody<RescheduleBody> body, ClaimsPrincipal user, Scheduler scheduler, MessageStore messages)
    {
        if (MessageAccess.Check(id, Caller.From(user)) is { } denied)
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
        var (deliverAt, rescheduled) = scheduler.Plan(sendAt, history.Urgent);
        return Changed(id, await messages.RescheduleAsync(id, deliverAt, rescheduled), "rescheduled");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> SendNow(
        string id, ClaimsPrincipal user, MessageStore messages, TimeProvider time) =>
        MessageAccess.Check(id, Caller.From(user)) is { } denied
            ? denied
            : Changed(id, await messages.SendNowAsync(id, time.GetUtcNow()), "sent now");

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Cancel(
        string id, ClaimsPrincipal user, MessageStore messages, TimeProvider time)
    {
        if (MessageAccess.Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        var outcome = await messages.CancelAsync(id, time.GetUtcNow());
        if (outcome is { Refusal: "final", State: MessageStates.Cancelled } && await messages.GetHistoryJsonAsync(id) is { } json)
        {
            return MessageAccess.Json(json);
        }
        return outcome is { Refusal: "final" }
            ? Problems.Conflict($"Message {id} is {outcome.State}: it was delivered and can no longer be cancelled.")
            : Changed(id, outcome, "cancelled");
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Changed(string id, ChangeOutcome outcome, string what) => outcome switch
    {
        { Changed: true, HistoryJson: { } json } => MessageAccess.Json(json),
        { Refusal: "missing" } => MessageAccess.Missing(id),
        _ => Problems.Conflict($"Message {id} is {outcome.State}; only a scheduled message can be {what}."),
    };

    private static ProblemHttpResult Unknown(Expansion expansion)
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
    private static ProblemHttpResult? NotOwned(Expansion expansion, string teacherId)
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
}
