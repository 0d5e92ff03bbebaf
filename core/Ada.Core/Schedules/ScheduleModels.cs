using System.Globalization;
using System.Text.Json.Serialization;
using Ada.Core.Messages;
using Ada.Core.Scheduling;
using Cronos;

namespace Ada.Core.Schedules;

public static class ScheduleStates
{
    public const string Active = "active";
    public const string Paused = "paused";
    /// <summary>No occurrence left (past <c>until</c>).</summary>
    public const string Ended = "ended";
}

public static class OccurrenceStatus
{
    /// <summary>A message was queued: <c>messageId</c>.</summary>
    public const string Queued = "queued";
    /// <summary>Not sent: <c>reason</c> late (found more than an hour late) or superseded (a later one was sent).</summary>
    public const string Skipped = "skipped";
    /// <summary>The queue refused the message at that moment (limits, permissions, no courier): <c>reason</c>, <c>detail</c>.</summary>
    public const string Refused = "refused";
}

/// <summary>What the owner asked for; written once, when the schedule is made. Times are UTC ISO-8601.</summary>
public sealed record ScheduleDefinition(
    string Id,
    string Owner,
    string Text,
    Addressees To,
    string Cron,
    string TimeZone,
    string? StartsAt,
    string? Until,
    bool Urgent,
    IReadOnlyList<string>? Channels,
    string CreatedAt)
{
    /// <summary>The cron, zone and bounds, parsed (they were validated when the schedule was made).</summary>
    public (CronExpression Cron, TimeZoneInfo Zone, DateTimeOffset? StartsAt, DateTimeOffset? Until) Timing()
    {
        if (!ScheduleClock.TryParse(Cron, out var cron) || !QuietHours.TryFindZone(TimeZone, out var zone))
        {
            throw new InvalidOperationException($"Schedule {Id} holds a cron or zone that no longer parses: {Cron} {TimeZone}");
        }
        return (cron, zone, Parse(StartsAt), Parse(Until));
    }

    /// <summary>The first occurrence at or after <paramref name="now"/> (or <c>startsAt</c> when later), within <c>until</c>.</summary>
    public DateTimeOffset? NextFrom(DateTimeOffset now)
    {
        var (cron, zone, startsAt, until) = Timing();
        return ScheduleClock.First(cron, zone, startsAt > now ? startsAt.Value : now, until);
    }

    private static DateTimeOffset? Parse(string? at) =>
        at is null ? null : DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

/// <summary>
/// One occurrence as it happened (newest first in <c>occurrences:{id}</c>). A refusal carries its <c>reason</c> code,
/// the English <c>detail</c> of the problem POST /v1/queue would have answered, and <c>message</c>, the sentence for people.
/// </summary>
public sealed record Occurrence(
    string At,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MessageId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeliverAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HandledAt = null);

/// <summary>A schedule as stored: the definition, its state, and its next occurrence (the tick in the due index).</summary>
public sealed record Schedule(ScheduleDefinition Definition, string State, long? NextMs)
{
    public DateTimeOffset? Next => NextMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
