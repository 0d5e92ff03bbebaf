using Cronos;

namespace Ada.Core.Schedules;

/// <summary>What to do with a tick found due: occurrences to record as skipped, at most one to send, the next tick.</summary>
public sealed record TickPlan(IReadOnlyList<(DateTimeOffset At, string Reason)> Skipped, DateTimeOffset? Send, DateTimeOffset? Next);

/// <summary>
/// A schedule's occurrences: standard five-field cron (Cronos) in an IANA zone. Cronos turns local times into
/// instants across daylight-saving changes: a local time skipped by spring-forward fires at the first instant
/// after the gap, and one repeated by fall-back fires once (interval expressions such as <c>*/30</c> follow the
/// real clock through the repeated hour). Ticks are instants, so a change of offset never adds or drops one.
/// </summary>
public static class ScheduleClock
{
    /// <summary>An occurrence found due later than this (everything was down) is recorded as skipped instead of sent.</summary>
    public static readonly TimeSpan CatchUp = TimeSpan.FromHours(1);

    /// <summary>Occurrences looked at per tick; a longer outage is walked through in several ticks.</summary>
    private const int MaxPerTick = 1000;

    public static bool TryParse(string? text, out CronExpression cron)
    {
        cron = null!;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5
            || !CronExpression.TryParse(text.Trim(), CronFormat.Standard, out var parsed) || parsed is null)
        {
            return false;
        }
        cron = parsed;
        return true;
    }

    /// <summary>The first occurrence at or after <paramref name="from"/>, not after <paramref name="until"/>.</summary>
    public static DateTimeOffset? First(CronExpression cron, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset? until) =>
        Within(cron.GetNextOccurrence(from, zone, inclusive: true), until);

    /// <summary>The occurrence after <paramref name="after"/>, not after <paramref name="until"/>.</summary>
    public static DateTimeOffset? Next(CronExpression cron, TimeZoneInfo zone, DateTimeOffset after, DateTimeOffset? until) =>
        Within(cron.GetNextOccurrence(after, zone, inclusive: false), until);

    /// <summary>
    /// The tick at <paramref name="tick"/> is handled at <paramref name="now"/>. Every occurrence from the tick to now
    /// has passed; only the latest may still be sent — when it is less than <see cref="CatchUp"/> late — and the
    /// earlier ones are skipped (<c>late</c>, or <c>superseded</c> by a later one within the hour), so a return after
    /// an outage sends one catch-up message, not a burst.
    /// </summary>
    public static TickPlan Plan(CronExpression cron, TimeZoneInfo zone, DateTimeOffset tick, DateTimeOffset now, DateTimeOffset? until)
    {
        var passed = new List<DateTimeOffset> { tick };
        var at = tick;
        while (passed.Count < MaxPerTick && Next(cron, zone, at, until) is { } next && next <= now)
        {
            passed.Add(next);
            at = next;
        }
        var latest = passed[^1];
        var skipped = passed.Take(passed.Count - 1).Select(p => (p, now - p > CatchUp ? Late : Superseded)).ToList();
        DateTimeOffset? send = latest;
        if (now - latest > CatchUp)
        {
            skipped.Add((latest, Late));
            send = null;
        }
        return new TickPlan(skipped, send, Next(cron, zone, latest, until));
    }

    public const string Late = "late";
    public const string Superseded = "superseded";

    private static DateTimeOffset? Within(DateTimeOffset? at, DateTimeOffset? until) =>
        at is { } a && (until is null || a <= until) ? a : null;
}
