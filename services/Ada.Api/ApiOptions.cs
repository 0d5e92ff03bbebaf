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

    /// <summary>The admin token is the key to everything: a short one could be guessed.</summary>
    public const int MinAdminTokenLength = 32;

    /// <summary>How long a token from <c>POST /v1/tokens</c> lives unless the request asks otherwise.</summary>
    [Range(1, MaxTokenDays, ErrorMessage = "Ada__TokenDays must be between 1 and 3650.")]
    public int TokenDays { get; init; } = 90;

    /// <summary>The longest lifetime a token may be given (integration tokens): ten years.</summary>
    public const int MaxTokenDays = 3650;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AdminToken.Length is > 0 and < MinAdminTokenLength)
        {
            yield return new ValidationResult(
                $"Ada__AdminToken is {AdminToken.Length} characters long; it must have at least {MinAdminTokenLength} " +
                "(e.g. `openssl rand -hex 24`).", [nameof(AdminToken)]);
        }
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

    /// <summary>The institution's zone: the one people read times in (SMS answers, refusals).</summary>
    public TimeZoneInfo Zone => Core.Scheduling.QuietHours.TryFindZone(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

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
