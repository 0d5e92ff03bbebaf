using System.ComponentModel.DataAnnotations;

namespace Ada.Sandbox.Sms;

/// <summary>Startup settings of the SMS Gateway for Android stand-in (local server and cloud API alike).</summary>
public sealed record SmsOptions : IValidatableObject
{
    public const string Section = "Sandbox:Sms";

    /// <summary>Basic auth user name; when neither it nor Password is set, any Basic credentials are accepted.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>The app's webhook signing key: when set, every webhook carries X-Signature and X-Timestamp.</summary>
    public string? SigningKey { get; init; }

    /// <summary>
    /// Where an event goes when no webhook is registered for it: &lt;base&gt;/v1/sms/inbound for sms:received,
    /// &lt;base&gt;/v1/sms/reports for the other events (Ada's routes).
    /// </summary>
    public Uri? WebhookUrl { get; init; }

    /// <summary>Time from sms:sent to sms:delivered (or sms:failed for a fail_delivery number).</summary>
    [Range(0, 600_000)]
    public int DeliveryDelayMilliseconds { get; init; } = 200;

    /// <summary>How long one webhook attempt may take before it is logged as failed.</summary>
    [Range(100, 120_000)]
    public int WebhookTimeoutMilliseconds { get; init; } = 5000;

    /// <summary>The deviceId of every envelope and message (the app's ids are 21-character NanoIDs).</summary>
    [Required]
    [StringLength(36, MinimumLength = 1)]
    public string DeviceId { get; init; } = "sandbox-device-000001";

    /// <summary>The device's own number: sender of outgoing, recipient of incoming SMS; omitted from payloads when unset.</summary>
    public string? DevicePhoneNumber { get; init; }

    /// <summary>The device's time zone; payload timestamps (receivedAt, sentAt…) are in device-local time as on the phone.</summary>
    [Range(-720, 840)]
    public int DeviceUtcOffsetMinutes { get; init; } = 180;

    /// <summary>
    /// Refuse webhook URLs the real app or cloud refuses (anything but https://, and http://127.0.0.1 locally).
    /// Off by default so the sandbox can call Ada over plain HTTP inside a compose network.
    /// </summary>
    public bool RequireHttpsWebhooks { get; init; }

    /// <summary>Comma-separated E.164 numbers whose sends fail on the phone (no inbox entry, sms:failed).</summary>
    public string? FailSendNumbers { get; init; }

    /// <summary>Comma-separated E.164 numbers that receive the text but whose delivery report says failed.</summary>
    public string? FailDeliveryNumbers { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult(
                $"{Section}:Username and {Section}:Password must be set together (or both left unset to accept any credentials).",
                [nameof(Username), nameof(Password)]);
        }

        if (WebhookUrl is not null && !HttpUrls.IsHttp(WebhookUrl))
        {
            yield return new ValidationResult(
                $"{Section}:WebhookUrl must be an absolute http(s) URL, e.g. http://127.0.0.1:8080; got '{WebhookUrl}'.",
                [nameof(WebhookUrl)]);
        }

        foreach (var (name, value) in new[] { (nameof(FailSendNumbers), FailSendNumbers), (nameof(FailDeliveryNumbers), FailDeliveryNumbers) })
        {
            if (!PhoneNumber.TryParseList(value, out _))
            {
                yield return new ValidationResult(
                    $"{Section}:{name} must be comma-separated phone numbers, e.g. +79990001234,+79990001235; got '{value}'.", [name]);
            }
        }
    }
}

/// <summary>Startup settings of the SMS.ru stand-in.</summary>
public sealed record SmsRuOptions
{
    public const string Section = "Sandbox:SmsRu";

    /// <summary>When set, only this api_id is accepted; otherwise any non-empty one is.</summary>
    public string? ApiId { get; init; }

    /// <summary>The balance every answer reports (rubles); sends do not spend it.</summary>
    public decimal Balance { get; init; } = 1000.00m;
}
