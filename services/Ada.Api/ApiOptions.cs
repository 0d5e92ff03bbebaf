using System.ComponentModel.DataAnnotations;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Scheduling;

namespace Ada.Api;

/// <summary><c>Ada:*</c>: the bootstrap admin token (a secret: no default) and the sender id it acts as.</summary>
public sealed record AdaOptions : IValidatableObject
{
    public const string Section = "Ada";

    [Required(ErrorMessage = "Ada__AdminToken is not set: give the API a bootstrap admin bearer token " +
        "(environment variable Ada__AdminToken, or --Ada:AdminToken=<token>).")]
    public string AdminToken { get; init; } = "";

    /// <summary>The sender id of messages queued with the admin token.</summary>
    public string AdminUserId { get; init; } = "admin";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!MessageIds.IsValidEntityId(AdminUserId))
        {
            yield return new ValidationResult(
                $"Ada__AdminUserId '{AdminUserId}' is not a valid user id (1-64 letters, digits, '_', '-', '.').",
                [nameof(AdminUserId)]);
        }
    }
}

/// <summary><c>Scheduling:*</c>: the quiet-hours window and its time zone.</summary>
public sealed record SchedulingOptions : IValidatableObject
{
    public const string Section = "Scheduling";

    /// <summary><c>HH:MM-HH:MM</c>; empty for none.</summary>
    public string? QuietHours { get; init; } = "22:00-08:00";

    /// <summary>IANA zone of the window.</summary>
    public string TimeZone { get; init; } = "Europe/Moscow";

    /// <summary>A message without <c>expiresAt</c> expires this many minutes after its delivery time; 0: never (the default).</summary>
    [Range(0, 43_200)] public int DefaultExpiryMinutes { get; init; }

    public QuietHours? ToQuietHours() =>
        Core.Scheduling.QuietHours.TryParse(QuietHours, TimeZone, out var quietHours, out var error)
            ? quietHours
            : throw new InvalidOperationException(error);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Core.Scheduling.QuietHours.TryFindZone(TimeZone, out _))
        {
            yield return new ValidationResult(
                $"Scheduling__TimeZone '{TimeZone}' is not a known IANA time zone, e.g. Europe/Moscow.", [nameof(TimeZone)]);
        }
        else if (!Core.Scheduling.QuietHours.TryParse(QuietHours, TimeZone, out _, out var error))
        {
            yield return new ValidationResult($"Scheduling__QuietHours: {error}", [nameof(QuietHours)]);
        }
    }
}

/// <summary>One role's quotas; 0 means unlimited.</summary>
public sealed record RoleLimits
{
    public int MessagesPerHour { get; init; }
    public int RecipientsPerMessage { get; init; }
}

/// <summary><c>Limits:&lt;Role&gt;:*</c>: per-sender quotas by role.</summary>
public sealed record LimitsOptions : IValidatableObject
{
    public const string Section = "Limits";

    public RoleLimits Teacher { get; init; } = new() { MessagesPerHour = 30, RecipientsPerMessage = 2_000 };
    public RoleLimits Staff { get; init; } = new() { MessagesPerHour = 120, RecipientsPerMessage = 50_000 };
    public RoleLimits Admin { get; init; } = new() { MessagesPerHour = 0, RecipientsPerMessage = 0 };

    public RoleLimits For(string role) => role switch
    {
        Roles.Teacher => Teacher,
        Roles.Staff => Staff,
        Roles.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Only teachers, staff and admins send messages."),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (role, limits) in new[] { (nameof(Teacher), Teacher), (nameof(Staff), Staff), (nameof(Admin), Admin) })
        {
            if (limits.MessagesPerHour < 0 || limits.RecipientsPerMessage < 0)
            {
                yield return new ValidationResult(
                    $"Limits__{role}__MessagesPerHour and Limits__{role}__RecipientsPerMessage must be 0 (unlimited) or positive.",
                    [role]);
            }
        }
    }
}
