using System.Globalization;

namespace Ada.Sandbox.Sms;

/// <summary>
/// Each side's checks of a request, in the order each makes them, with its texts; null when the request passes.
/// The app (MessagesRoutes.kt) checks by hand; the cloud runs go-playground/validator struct tags (smsgateway.Message)
/// and then Message.Validate(). Only text messages are imitated (what Ada sends); a dataMessage or mmsMessage is an
/// unknown field the sandbox ignores, so such a request counts as having no text.
/// </summary>
public static class GatewayValidation
{
    public const int MaxTextLength = 65_535;

    public static string? CheckLocal(GatewaySendRequest request, SmsOptions settings, DateTimeOffset now)
    {
        if (request.DeviceId is not null && request.DeviceId != settings.DeviceId)
        {
            return "Invalid device ID";
        }

        var kinds = Given(request.TextMessage is not null, request.Message is not null);
        if (kinds == 0)
        {
            return "Must specify exactly one of: textMessage, dataMessage, mmsMessage, or message";
        }

        if (kinds > 1)
        {
            return "Cannot specify multiple message types simultaneously";
        }

        if (request.Message is { Length: 0 })
        {
            return "Text message is empty";
        }

        if (request.TextMessage is { } textMessage && string.IsNullOrEmpty(textMessage.Text))
        {
            return "Text message is empty";
        }

        if (request.PhoneNumbers is not { Count: > 0 })
        {
            return "phoneNumbers is empty";
        }

        if (request.SimNumber < 1)
        {
            return "simNumber must be >= 1";
        }

        if (request.Ttl is not null && request.ValidUntil is not null)
        {
            return "fields conflict: ttl and validUntil";
        }

        var validUntil = request.ValidUntil ?? (request.Ttl is { } ttl ? now.AddSeconds(ttl) : null);
        return validUntil < now ? "message already expired" : null;
    }

    public static string? CheckCloud(GatewaySendRequest request)
    {
        if (request.SimNumber < 0 || request.SimNumber > byte.MaxValue)
        {
            return $"failed to parse body: json: cannot unmarshal number {request.SimNumber} into Go struct field Message.simNumber of type uint8";
        }

        if (request.Id is { Length: > 36 })
        {
            return Tag("Message.ID", "max");
        }

        if (request.Message is { Length: > MaxTextLength })
        {
            return Tag("Message.Message", "max");
        }

        if (request.TextMessage is { } textMessage)
        {
            if (string.IsNullOrEmpty(textMessage.Text))
            {
                return Tag("Message.TextMessage.Text", "required");
            }

            if (textMessage.Text.Length > MaxTextLength)
            {
                return Tag("Message.TextMessage.Text", "max");
            }
        }

        if (request.PhoneNumbers is null)
        {
            return Tag("Message.PhoneNumbers", "required");
        }

        if (request.PhoneNumbers.Count is 0 or > SmsGatewayApi.MaxRecipients)
        {
            return Tag("Message.PhoneNumbers", request.PhoneNumbers.Count == 0 ? "min" : "max");
        }

        for (var i = 0; i < request.PhoneNumbers.Count; i++)
        {
            if (request.PhoneNumbers[i] is not { Length: > 0 and <= 128 })
            {
                return Tag($"Message.PhoneNumbers[{i.ToString(CultureInfo.InvariantCulture)}]",
                    string.IsNullOrEmpty(request.PhoneNumbers[i]) ? "required" : "max");
            }
        }

        if (request.SimNumber > 3)
        {
            return Tag("Message.SimNumber", "max");
        }

        if (request.Ttl < 5)
        {
            return Tag("Message.TTL", "min");
        }

        var kinds = Given(!string.IsNullOrEmpty(request.Message), request.TextMessage is not null);
        if (kinds != 1)
        {
            return (kinds == 0 ? "validation failed" : "conflict fields") + ": must specify exactly one of: textMessage or dataMessage";
        }

        return request.Ttl is not null && request.ValidUntil is not null ? "conflict fields: ttl and validUntil" : null;
    }

    public static string? CheckCloudWebhook(GatewayWebhookRequest request, bool requireHttps)
    {
        if (request.Id is { Length: > 36 })
        {
            return Tag("Webhook.ID", "max");
        }

        if (request.DeviceId is { Length: > 21 })
        {
            return Tag("Webhook.DeviceID", "max");
        }

        if (string.IsNullOrEmpty(request.Url))
        {
            return Tag("Webhook.URL", "required");
        }

        if (!HttpUrls.TryParse(request.Url, out var url))
        {
            return Tag("Webhook.URL", "http_url");
        }

        if (string.IsNullOrEmpty(request.Event))
        {
            return Tag("Webhook.Event", "required");
        }

        if (!SmsWebhookEvents.All.Contains(request.Event))
        {
            return "validation failed: invalid event type";
        }

        return requireHttps && url.Scheme != Uri.UriSchemeHttps ? "validation failed: url must start with https://" : null;
    }

    private static int Given(params bool[] kinds) => kinds.Count(given => given);

    /// <summary>go-playground/validator's FieldError text.</summary>
    private static string Tag(string key, string tag) =>
        $"Key: '{key}' Error:Field validation for '{key[(key.LastIndexOf('.') + 1)..]}' failed on the '{tag}' tag";
}
