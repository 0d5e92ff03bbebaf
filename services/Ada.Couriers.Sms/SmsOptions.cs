using System.ComponentModel.DataAnnotations;

namespace Ada.Couriers.Sms;

/// <summary>Section <c>Sms</c>: which gateway, how to reach it, and how fast and how long texts may be.</summary>
public sealed class SmsOptions : IValidatableObject
{
    public const string Section = "Sms";
    public const string AndroidGateway = "android-gateway";
    public const string SmsRu = "smsru";
    public const string SmsRuDefaultBaseUrl = "https://sms.ru";

    [RegularExpression("^(android-gateway|smsru)$",
        ErrorMessage = "Sms:Provider (environment variable Sms__Provider) must be 'android-gateway' or 'smsru'.")]
    public string Provider { get; set; } = AndroidGateway;

    /// <summary>
    /// Android gateway: the device's local server (<c>http://192.168.1.10:8080</c>) or the cloud/private
    /// server's API root (<c>https://api.sms-gate.app/3rdparty/v1</c>). SMS.ru: its API root (default https://sms.ru).
    /// </summary>
    public string? BaseUrl { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }

    public string? ApiId { get; set; }

    /// <summary>SMS.ru sender name (approved in its dashboard); empty: the account's default sender.</summary>
    public string? Sender { get; set; }

    /// <summary>The key the API verifies the gateway's webhooks with; the courier does not use it.</summary>
    public string? WebhookSigningKey { get; set; }

    /// <summary>Ada's API as the gateway reaches it; when set, the courier registers the gateway's webhooks at start.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Longest text in segments; longer ones are refused at queue time (published as the channel's limit).</summary>
    [Range(1, 255)]
    public int MaxSegments { get; set; } = 6;

    /// <summary>Texts per second, all instances together (a multi-recipient request costs one per number); 0 = unpaced.</summary>
    [Range(0, 10_000)]
    public double MessagesPerSecond { get; set; } = 5;

    /// <summary>Texts to one phone number per minute (operators flag floods); 0 = no limit.</summary>
    [Range(0, 10_000)]
    public int PerNumberPerMinute { get; set; } = 10;

    /// <summary>Numbers per Android gateway request (its API takes up to 100).</summary>
    [Range(1, 100)]
    public int AndroidRecipientsPerRequest { get; set; } = 50;

    [Range(1, 300)]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>SMS.ru: how often pending delivery statuses are looked up.</summary>
    [Range(1, 3600)]
    public int StatusPollSeconds { get; set; } = 5;

    /// <summary>SMS.ru: a text whose status is still open this long after sending is no longer looked up.</summary>
    [Range(1, 720)]
    public int StatusGiveUpHours { get; set; } = 48;

    /// <summary>Android gateway: how often the registered webhooks are checked again (a reinstalled app forgets them).</summary>
    [Range(1, 1440)]
    public int WebhookCheckMinutes { get; set; } = 10;

    public bool IsSmsRu => Provider == SmsRu;

    public Uri GatewayBaseUrl => new(string.IsNullOrWhiteSpace(BaseUrl) ? SmsRuDefaultBaseUrl : BaseUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { (nameof(BaseUrl), BaseUrl), (nameof(PublicUrl), PublicUrl) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !IsHttpUrl(value))
            {
                yield return new ValidationResult(
                    $"Sms:{name} (environment variable Sms__{name}) must be an absolute http(s) address; got '{value}'.", [name]);
            }
        }
        if (IsSmsRu)
        {
            if (string.IsNullOrWhiteSpace(ApiId))
            {
                yield return new ValidationResult(
                    "Sms:ApiId is required when Sms:Provider is 'smsru' (environment variable Sms__ApiId): the api_id from the SMS.ru dashboard.",
                    [nameof(ApiId)]);
            }
            yield break;
        }
        if (string.IsNullOrWhiteSpace(BaseUrl))
        {
            yield return new ValidationResult(
                "Sms:BaseUrl is required when Sms:Provider is 'android-gateway' (environment variable Sms__BaseUrl): " +
                "the phone's local server, e.g. http://192.168.1.10:8080, or https://api.sms-gate.app/3rdparty/v1.",
                [nameof(BaseUrl)]);
        }
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrWhiteSpace(Password))
        {
            yield return new ValidationResult(
                "Sms:Username and Sms:Password are required when Sms:Provider is 'android-gateway' " +
                "(environment variables Sms__Username, Sms__Password): the basic-auth credentials the app shows.",
                [nameof(Username), nameof(Password)]);
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
