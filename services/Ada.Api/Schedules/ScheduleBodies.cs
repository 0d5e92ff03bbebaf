using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Core.Messages;
using Ada.Core.Scheduling;
using Ada.Core.Schedules;
using Cronos;

namespace Ada.Api.Schedules;

/// <summary>
/// <c>POST /v1/schedules</c>: the text, addressees, <c>urgent</c> and <c>channels</c> of <c>POST /v1/queue</c>, and when:
/// a five-field <c>cron</c> in <c>timeZone</c> (IANA; default <c>Scheduling:TimeZone</c>), from <c>startsAt</c> (default
/// now) to <c>until</c> (default forever).
/// </summary>
public sealed record ScheduleBody(
    string? Text, AddresseesBody? To, string? Cron, string? TimeZone, string? StartsAt, string? Until, bool? Urgent,
    List<string?>? Channels)
{
    /// <summary>The same fields as a queue request, so they are read and checked by the queue's own rules.</summary>
    public QueueBody AsQueueBody(string? id = null) => new(id, Text, To, null, Urgent, null, Channels);
}

public sealed record ScheduleCreated(string Id, string? Next);

/// <summary>A schedule as the API shows it, with its last occurrences (newest first) when one schedule is asked for.</summary>
public sealed record ScheduleView(
    string Id, string Owner, string Text, Addressees To, string Cron, string TimeZone, string? StartsAt, string? Until,
    bool Urgent, IReadOnlyList<string>? Channels, string CreatedAt, string State, string? Next,
    IReadOnlyList<Occurrence>? Occurrences = null)
{
    public static ScheduleView From(Schedule schedule, IReadOnlyList<Occurrence>? occurrences = null)
    {
        var d = schedule.Definition;
        return new(d.Id, d.Owner, d.Text, d.To, d.Cron, d.TimeZone, d.StartsAt, d.Until, d.Urgent, d.Channels, d.CreatedAt,
            schedule.State, schedule.Next is { } next ? AdaJson.Timestamp(next) : null, occurrences);
    }
}

/// <summary>A schedule request that passed validation: the queue request it repeats, and its timing.</summary>
public sealed record ScheduleRequest(QueueRequest Message, CronExpression Cron, string CronText, string ZoneId, TimeZoneInfo Zone,
    DateTimeOffset? StartsAt, DateTimeOffset? Until)
{
    public static ScheduleRequest? Read(ScheduleBody body, Scheduler scheduler, string defaultZone, Validation v)
    {
        var message = QueueRequest.Read(body.AsQueueBody(), scheduler, v);
        if (!ScheduleClock.TryParse(body.Cron, out var cron))
        {
            v.Add("cron", $"'cron' must be a standard five-field cron expression (minute hour day-of-month month day-of-week), " +
                $"e.g. \"30 8 * * MON-FRI\"; got {(body.Cron is null ? "nothing" : Validation.Echo(body.Cron))}.");
        }
        var zoneId = body.TimeZone ?? defaultZone;
        if (!QuietHours.TryFindZone(zoneId, out var zone))
        {
            v.Add("timeZone", $"'timeZone' must be an IANA time zone, e.g. \"Europe/Moscow\"; got {Validation.Echo(zoneId)}.");
        }
        Scheduler.TryReadTime(body.StartsAt, "startsAt", v, out var startsAt);
        Scheduler.TryReadTime(body.Until, "until", v, out var until);
        if (startsAt is not null && until is not null && until <= startsAt)
        {
            v.Add("until", "'until' must be after 'startsAt'.");
        }
        return v.IsValid ? new ScheduleRequest(message!, cron, body.Cron!.Trim(), zone!.Id, zone, startsAt, until) : null;
    }

    public ScheduleDefinition ToDefinition(string id, string owner, DateTimeOffset now) => new(
        id, owner, Message.Text, Message.To, CronText, ZoneId,
        StartsAt is { } s ? AdaJson.Timestamp(s) : null, Until is { } u ? AdaJson.Timestamp(u) : null,
        Message.Urgent, Message.Channels, AdaJson.Timestamp(now));
}
