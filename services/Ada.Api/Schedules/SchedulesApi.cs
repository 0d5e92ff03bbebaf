using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Core.Messages;
using Ada.Core.Schedules;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Schedules;

/// <summary>Recurring messages: make, list, read (with the last occurrences), pause, resume, delete. Teachers, staff, admins.</summary>
public static class SchedulesApi
{
    public static RouteGroupBuilder MapSchedules(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1/schedules", "Schedules", Policies.Sender);

        group.MapPost("", Create).WithName("CreateSchedule")
            .WithSummary("Send a message again and again, on a five-field cron in an IANA time zone")
            .WithDescription("Checked like POST /v1/queue (addressees, permissions, urgent, channels). Each occurrence is queued " +
                "then as an ordinary message (origin 'schedule', 'scheduleId' in its history), subject to the owner's limits, " +
                "permissions and quiet hours at that moment; a refusal is recorded on the occurrence. Occurrences are instants: " +
                "a local time skipped by a daylight-saving change fires once at the end of the gap, one repeated by it fires " +
                "once; an occurrence missed while Ada was down is sent once if less than an hour late, else recorded skipped.");
        group.MapGet("", List).WithName("ListSchedules")
            .WithSummary("The caller's schedules; staff and admins see everyone's (or one owner's with ?owner=)");
        group.MapGet("/{id}", Get).WithName("GetSchedule")
            .WithSummary("A schedule with its last occurrences (message id, or skipped/refused with the reason)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/pause", Pause).WithName("PauseSchedule")
            .WithSummary("Stop sending until resumed (idempotent)").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/resume", Resume).WithName("ResumeSchedule")
            .WithSummary("Send again from the next occurrence on; occurrences of the pause are not sent (idempotent)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id}", Delete).WithName("DeleteSchedule")
            .WithSummary("Delete a schedule; messages it already queued stay").ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<Created<ScheduleCreated>, ProblemHttpResult>> Create(
        JsonBody<ScheduleBody> body, ClaimsPrincipal user, HttpContext http, Scheduler scheduler, MessageQueue queue,
        RefusalTexts texts, ScheduleStore schedules, IOptions<SchedulingOptions> scheduling, TimeProvider time)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var caller = Caller.From(user);
        var v = new Validation();
        if (ScheduleRequest.Read(body.Value!, scheduler, scheduling.Value.TimeZone, v) is not { } request)
        {
            return Problems.Invalid(v);
        }
        // Everything POST /v1/queue checks but the quotas, which count messages, not schedules. No courier now is
        // no reason to refuse a schedule: each occurrence is checked again when it comes.
        if (await queue.RefusalAsync(caller, body.Value!.AsQueueBody()) is { Reason: not RefusalReason.NoCourier } refusal)
        {
            return RefusalProblems.ToProblem(refusal, texts.Describe(refusal, RequestLanguage.Of(http.Request)));
        }
        var now = time.GetUtcNow();
        var from = request.StartsAt is { } startsAt && startsAt > now ? startsAt : now;
        if (ScheduleClock.First(request.Cron, request.Zone, from, request.Until) is not { } first)
        {
            return Problems.BadRequest($"'cron' {Validation.Echo(request.CronText)} has no occurrence between " +
                $"{AdaJson.Timestamp(from)} and 'until' {body.Value.Until}: nothing would ever be sent.");
        }
        string id;
        do
        {
            id = ScheduleIds.New(caller.Id, time);
        }
        while (!await schedules.CreateAsync(request.ToDefinition(id, caller.Id, now), first, now));
        return TypedResults.Created($"/v1/schedules/{id}", new ScheduleCreated(id, AdaJson.Timestamp(first)));
    }

    private static async Task<Results<Ok<IReadOnlyList<ScheduleView>>, ProblemHttpResult>> List(
        ClaimsPrincipal user, ScheduleStore schedules, string? owner = null)
    {
        var caller = Caller.From(user);
        if (owner is not null && !caller.MayActFor(owner))
        {
            return Problems.Forbidden("Only staff and admins may list another owner's schedules.");
        }
        var ids = await schedules.ListIdsAsync(caller.IsStaffOrAdmin ? owner : caller.Id);
        // Pipelined: one round trip's wait for all of them, not one per schedule.
        var found = await Task.WhenAll(ids.Select(schedules.GetAsync));
        return TypedResults.Ok<IReadOnlyList<ScheduleView>>([.. found.OfType<Schedule>().Select(s => ScheduleView.From(s))]);
    }

    private static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, ScheduleStore schedules)
    {
        if (Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        return await schedules.GetWithOccurrencesAsync(id) is ({ } schedule, var occurrences)
            ? TypedResults.Ok(ScheduleView.From(schedule, occurrences))
            : Missing(id);
    }

    private static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Pause(string id, ClaimsPrincipal user, ScheduleStore schedules)
    {
        if (Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        return await Changed(id, await schedules.PauseAsync(id), schedules);
    }

    private static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Resume(
        string id, ClaimsPrincipal user, ScheduleStore schedules, TimeProvider time)
    {
        if (Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        if (await schedules.GetAsync(id) is not { } schedule)
        {
            return Missing(id);
        }
        var next = schedule.Definition.NextFrom(time.GetUtcNow());
        return await Changed(id, await schedules.ResumeAsync(id, next), schedules);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, ClaimsPrincipal user, ScheduleStore schedules)
    {
        if (Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        return await schedules.DeleteAsync(id) ? TypedResults.NoContent() : Missing(id);
    }

    private static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Changed(
        string id, (ScheduleChange Change, string State) outcome, ScheduleStore schedules)
    {
        if (outcome.Change == ScheduleChange.Ended)
        {
            return Problems.Conflict($"Schedule {id} has ended (no occurrence is left before its 'until'); make a new one.");
        }
        return outcome.Change != ScheduleChange.Missing && await schedules.GetWithOccurrencesAsync(id) is ({ } schedule, var occurrences)
            ? TypedResults.Ok(ScheduleView.From(schedule, occurrences))
            : Missing(id);
    }

    /// <summary>Null when <paramref name="caller"/> may act on schedule <paramref name="id"/>: its owner (named in the id), staff, admins.</summary>
    private static ProblemHttpResult? Check(string id, Caller caller)
    {
        if (!ScheduleIds.TryParse(id, out var owner))
        {
            return Problems.BadRequest($"{Validation.Echo(id)} is not a schedule id of the form <ownerId>~<unixNanoseconds>.");
        }
        return caller.MayActFor(owner)
            ? null
            : Problems.Forbidden($"Schedule {id} belongs to {Validation.Echo(owner)}; only its owner, staff and admins may use it.");
    }

    private static ProblemHttpResult Missing(string id) => Problems.NotFound($"There is no schedule {id}: it was never made, or was deleted.");
}
