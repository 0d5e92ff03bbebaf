using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Scheduling;
using Microsoft.Extensions.Options;

namespace Ada.Api.Messages;

/// <summary>
/// The waves of a message whose recipients live in several zones: the first wave's time and its quiet-hours move
/// (the message's <c>deliverAt</c> and <c>rescheduled</c>), the waves, and the recipients in wave order.
/// </summary>
public sealed record WavePlan(DateTimeOffset DeliverAt, Rescheduled? Rescheduled, IReadOnlyList<Wave> Waves, IReadOnlyList<string> Recipients)
{
    public DateTimeOffset LastAt => DateTimeOffset.FromUnixTimeMilliseconds(Waves[^1].AtMs);
}

/// <summary>
/// When a message is delivered: the time asked for (or now), moved out of quiet hours unless urgent. The one
/// quiet-hours rule of every path that sets a delivery time (queue, reschedule, send-now, SMS, bot, web
/// app): only staff and admin may skip the window (<see cref="MaySkipQuietHours"/>).
/// </summary>
public sealed partial class Scheduler(IOptions<SchedulingOptions> options, TimeProvider time)
{
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(30);

    private readonly QuietHours? _quietHours = options.Value.ToQuietHours();
    private readonly ConcurrentDictionary<string, QuietHours?> _zones = new(StringComparer.Ordinal);

    /// <summary>The institution's zone (<c>Scheduling:TimeZone</c>): a recipient without a zone of their own lives in it.</summary>
    public string InstitutionZone => options.Value.TimeZone;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Reads <c>sendAt</c> (ISO-8601 with an offset; null when absent) into <paramref name="requested"/>,
    /// recording a problem when it is malformed or more than <see cref="MaxAhead"/> ahead.
    /// </summary>
    public bool TryReadSendAt(string? text, string path, Validation v, out DateTimeOffset? requested)
    {
        if (!TryReadTime(text, path, v, out requested))
        {
            return false;
        }
        if (requested > Now + MaxAhead)
        {
            v.Add(path, $"'{path}' {Validation.Echo(text!)} is more than {MaxAhead.TotalDays:0} days ahead.");
            requested = null;
            return false;
        }
        return true;
    }

    /// <summary>Reads an ISO-8601 date-time with an offset (null when absent), recording a problem when it is malformed.</summary>
    public static bool TryReadTime(string? text, string path, Validation v, out DateTimeOffset? at)
    {
        at = null;
        if (text is null)
        {
            return true;
        }
        if (!IsoWithOffset().IsMatch(text) ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            v.Add(path, $"'{path}' must be an ISO-8601 date-time with an offset, e.g. \"2025-09-01T08:30:00+03:00\"; got {Validation.Echo(text)}.");
            return false;
        }
        at = parsed;
        return true;
    }

    /// <summary>Staff and admin may deliver inside quiet hours (urgent, send-now); a teacher's message waits for the window's end.</summary>
    public static bool MaySkipQuietHours(string role) => role is Roles.Staff or Roles.Admin;

    /// <summary>
    /// The delivery time <paramref name="caller"/> gets: a past or absent time means now; quiet hours move it
    /// to the window's end (saying so in <c>Rescheduled</c>) unless it is <paramref name="urgent"/> and the
    /// caller may skip them. Send-now asks for now, urgently.
    /// </summary>
    public (DateTimeOffset DeliverAt, Rescheduled? Rescheduled) Plan(Caller caller, DateTimeOffset? requested, bool urgent) =>
        Plan(caller, requested, urgent, _quietHours, Now);

    private static (DateTimeOffset DeliverAt, Rescheduled? Rescheduled) Plan(Caller caller, DateTimeOffset? requested, bool urgent,
        QuietHours? quietHours, DateTimeOffset now)
    {
        var at = requested is { } r && r > now ? r : now;
        if ((urgent && MaySkipQuietHours(caller.Role)) || quietHours?.WindowEnd(at) is not { } end)
        {
            return (at, null);
        }
        return (end, new Rescheduled(AdaJson.Timestamp(at), QuietHours.Reason));
    }

    /// <summary>The quiet hours read in <paramref name="zone"/> (an IANA id the directory validated); null when there are none.</summary>
    private QuietHours? QuietHoursIn(string zone) =>
        _quietHours is null || zone == InstitutionZone ? _quietHours
        : _zones.GetOrAdd(zone, z => QuietHours.TryFindZone(z, out var tz) ? _quietHours.In(tz) : _quietHours);

    /// <summary>
    /// Delivery at each recipient's local time (issue 13): the recipients of each zone get the time
    /// <see cref="Plan(Caller, DateTimeOffset?, bool)"/> gives in their zone; zones with the same time form one wave,
    /// waves in time order. Null when there is nothing to split — no quiet hours, an urgent message that may skip them,
    /// or every recipient in the institution's zone — so such a message is queued exactly as before.
    /// </summary>
    /// <param name="zones">Each recipient's zone (null: the institution's), in the order of <paramref name="recipients"/>.</param>
    public WavePlan? PlanWaves(Caller caller, DateTimeOffset? requested, bool urgent, IReadOnlyList<string> recipients,
        IReadOnlyList<string?> zones)
    {
        if (_quietHours is null || (urgent && MaySkipQuietHours(caller.Role)) || zones.All(z => z is null || z == InstitutionZone))
        {
            return null;
        }
        var byZone = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var segments = new List<(string Zone, IReadOnlyList<string> Ids)>();
        for (var i = 0; i < recipients.Count; i++)
        {
            var zone = zones[i] ?? InstitutionZone;
            if (!byZone.TryGetValue(zone, out var ids))
            {
                byZone[zone] = ids = [];
                segments.Add((zone, ids));
            }
            ids.Add(recipients[i]);
        }
        return PlanSegments(caller, requested, urgent, segments);
    }

    /// <summary>Waves for recipients grouped by zone (a new message, or the waves of one not started yet).</summary>
    public WavePlan PlanSegments(Caller caller, DateTimeOffset? requested, bool urgent,
        IReadOnlyList<(string Zone, IReadOnlyList<string> Ids)> segments)
    {
        // One "now" for every zone, so the zones that are not moved share one wave.
        var now = Now;
        var planned = segments.Select(s => (s.Zone, s.Ids, Plan: Plan(caller, requested, urgent, QuietHoursIn(s.Zone), now))).ToList();
        var waves = new List<Wave>();
        var order = new List<string>();
        foreach (var group in planned.GroupBy(p => p.Plan.DeliverAt).OrderBy(g => g.Key))
        {
            var at = group.Key;
            waves.Add(new Wave(AdaJson.Timestamp(at), at.ToUnixTimeMilliseconds(), group.Sum(g => g.Ids.Count), MessageStates.Scheduled,
                [.. group.Select(g => new WaveZone(g.Zone, g.Ids.Count))], group.First().Plan.Rescheduled));
            order.AddRange(group.SelectMany(g => g.Ids));
        }
        var first = planned.First(p => p.Plan.DeliverAt.ToUnixTimeMilliseconds() == waves[0].AtMs).Plan;
        return new WavePlan(first.DeliverAt, first.Rescheduled, waves, order);
    }

    /// <summary>
    /// When a message delivered at <paramref name="deliverAt"/> expires: the time asked for, else
    /// <c>Scheduling:DefaultExpiryMinutes</c> after delivery, else never (null). False when the time asked for is
    /// not after the delivery time (quiet hours may have moved it).
    /// </summary>
    public bool TryPlanExpiry(DateTimeOffset? requested, DateTimeOffset deliverAt, out DateTimeOffset? expiresAt)
    {
        expiresAt = requested ?? (options.Value.DefaultExpiryMinutes > 0 ? deliverAt.AddMinutes(options.Value.DefaultExpiryMinutes) : null);
        return expiresAt is null || expiresAt > deliverAt;
    }

    /// <summary>The canonical form of a requested time for fingerprints (UTC, milliseconds), or null.</summary>
    public static long? Normalize(DateTimeOffset? requested) => requested?.ToUnixTimeMilliseconds();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoWithOffset();
}
