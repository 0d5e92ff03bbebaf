using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ada.Core.Scheduling;

/// <summary>
/// A daily window (<c>HH:MM-HH:MM</c>, local time of one IANA zone) in which nothing non-urgent is
/// delivered. A window whose start is after its end wraps midnight (<c>22:00-08:00</c>). A delivery time
/// inside the window moves to the window's end.
/// </summary>
public sealed class QuietHours
{
    public const string Reason = "quiet-hours";

    private QuietHours(TimeOnly start, TimeOnly end, TimeZoneInfo zone)
    {
        Start = start;
        End = end;
        Zone = zone;
    }

    public TimeOnly Start { get; }
    public TimeOnly End { get; }
    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// Parses <c>HH:MM-HH:MM</c> in the IANA zone <paramref name="timeZone"/>. An empty window means no quiet
    /// hours (<paramref name="quietHours"/> is null, and the answer is true).
    /// </summary>
    public static bool TryParse(string? window, string? timeZone, out QuietHours? quietHours, [NotNullWhen(false)] out string? error)
    {
        quietHours = null;
        error = null;
        if (string.IsNullOrWhiteSpace(window))
        {
            return true;
        }
        var parts = window.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !TryParseTime(parts[0], out var start) || !TryParseTime(parts[1], out var end))
        {
            error = $"'{window}' is not a window of the form HH:MM-HH:MM, e.g. 22:00-08:00.";
            return false;
        }
        if (start == end)
        {
            error = $"'{window}' starts and ends at the same time; leave it empty for no quiet hours.";
            return false;
        }
        if (!TryFindZone(timeZone, out var zone))
        {
            error = $"'{timeZone}' is not a known IANA time zone, e.g. Europe/Moscow.";
            return false;
        }
        quietHours = new QuietHours(start, end, zone);
        return true;
    }

    public static bool TryFindZone(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>The same window, read in another zone (a recipient's own).</summary>
    public QuietHours In(TimeZoneInfo zone) => zone.Id == Zone.Id ? this : new QuietHours(Start, End, zone);

    /// <summary>True when the local time of <paramref name="at"/> falls inside the window.</summary>
    public bool Contains(DateTimeOffset at) => WindowEnd(at) is not null;

    /// <summary>When <paramref name="at"/> is inside the window: the instant the window ends; otherwise null.</summary>
    public DateTimeOffset? WindowEnd(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var day = DateOnly.FromDateTime(local.DateTime);
        DateOnly? endDay = Start < End
            ? (time >= Start && time < End ? day : null)
            : time >= Start ? day.AddDays(1)
            : time < End ? day
            : null;
        return endDay is { } d ? ToInstant(d.ToDateTime(End)) : null;
    }

    /// <summary>The delivery time to use for <paramref name="at"/>: itself, or the window's end when inside it.</summary>
    public DateTimeOffset Apply(DateTimeOffset at) => WindowEnd(at) ?? at;

    public override string ToString() =>
        $"{Start.ToString("HH:mm", CultureInfo.InvariantCulture)}-{End.ToString("HH:mm", CultureInfo.InvariantCulture)} {Zone.Id}";

    private DateTimeOffset ToInstant(DateTime local)
    {
        // A window end that falls into a spring-forward gap does not exist on that day: the first
        // valid minute after it does.
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }
        // An ambiguous end (autumn fall-back) takes the earlier of its two instants.
        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    private static bool TryParseTime(string text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
