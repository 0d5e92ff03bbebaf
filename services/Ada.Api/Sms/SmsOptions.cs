using System.ComponentModel.DataAnnotations;
using Ada.Core.Messages;

namespace Ada.Api.Sms;

/// <summary>
/// <c>Sms:*</c> as the API reads it: the key the Android SMS gateway signs its webhooks with (a secret: no
/// default, never logged) and the user id Ada's SMS answers are sent as. The SMS courier reads its own keys
/// (<c>Sms:Provider</c>, <c>Sms:BaseUrl</c>, …) from the same section.
/// </summary>
public sealed record SmsOptions : IValidatableObject
{
    public const string Section = "Sms";

    /// <summary>The gateway's "Signing Key" (Settings → Webhooks). Without it both webhooks answer 403.</summary>
    public string? WebhookSigningKey { get; init; }

    /// <summary>The sender id of Ada's answers to SMS commands; null means <c>Ada:AdminUserId</c>.</summary>
    public string? ReplySender { get; init; }

    /// <summary>Answers Ada texts one person per hour (each is a paid SMS); 0 = no limit.</summary>
    public int RepliesPerHour { get; init; } = 30;

    /// <summary>
    /// A message sent by SMS to more people than this waits for <c>YES code</c> from the same number
    /// (<see cref="SmsConfirmations"/>); 0 = never asks.
    /// </summary>
    public int ConfirmAbove { get; init; } = 30;

    /// <summary>How long a message waits for its confirmation.</summary>
    public int ConfirmMinutes { get; init; } = 10;

    public bool WebhooksConfigured => !string.IsNullOrEmpty(WebhookSigningKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RepliesPerHour < 0)
        {
            yield return new ValidationResult($"Sms__RepliesPerHour is {RepliesPerHour}; use 0 (no limit) or more.", [nameof(RepliesPerHour)]);
        }
        if (ConfirmAbove < 0)
        {
            yield return new ValidationResult($"Sms__ConfirmAbove is {ConfirmAbove}; use 0 (never ask) or more.", [nameof(ConfirmAbove)]);
        }
        if (ConfirmMinutes is < 1 or > 24 * 60)
        {
            yield return new ValidationResult($"Sms__ConfirmMinutes is {ConfirmMinutes}; use 1 to 1440.", [nameof(ConfirmMinutes)]);
        }
        if (ReplySender is not null && !MessageIds.IsValidEntityId(ReplySender))
        {
            yield return new ValidationResult(
                $"Sms__ReplySender '{ReplySender}' is not a valid user id (1-64 letters, digits, '_', '-', '.').", [nameof(ReplySender)]);
        }
    }
}
