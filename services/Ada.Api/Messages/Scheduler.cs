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
/// When a message is delivered: the time asked for (or now), moved out of quiet hours unless urgent. The one
/// quiet-hours rule of every path that sets a delivery time (queue, reschedule, send-now, SMS, bot, web
/// app): only staff and admin may skip the window (<see cref="MaySkipQuietHours"/>).
/// </summary>
public sealed partial class Scheduler(IOptions<SchedulingOptions> options, TimeProvider time)
{
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(30);

    private readonly QuietHours? _quietHours = options.Value.ToQuietHours();

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
    public (DateTimeOffset DeliverAt, Rescheduled? Rescheduled) Plan(Caller caller, DateTimeOffset? requested, bool urgent)
    {
        var now = Now;
        var at = requested is { } r && r > now ? r : now;
        if ((urgent && MaySkipQuietHours(caller.Role)) || _quietHours?.WindowEnd(at) is not { } end)
        {
            return (at, null);
        }
        return (end, new Rescheduled(AdaJson.Timestamp(at), QuietHours.Reason));
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
