using System.Text.Json.Serialization;

namespace Ada.Sandbox.Sms;

// SMS Gateway for Android's own shapes (camelCase, nulls omitted): the app's PostMessageRequest and Message, the
// cloud's smsgateway.Message, MessageState and ErrorResponse, and both sides' webhook DTOs.

public sealed record GatewayTextMessage(string? Text);

/// <summary>
/// A send request as both APIs take it: a text as textMessage or the deprecated message. The gateway's data and MMS
/// messages are not imitated (Ada sends text only).
/// </summary>
public sealed record GatewaySendRequest(
    string? Id,
    string? Message,
    GatewayTextMessage? TextMessage,
    List<string?>? PhoneNumbers,
    int? SimNumber,
    bool? WithDeliveryReport,
    bool? IsEncrypted,
    int? Priority,
    long? Ttl,
    DateTimeOffset? ValidUntil,
    string? DeviceId);

public sealed record GatewayRecipientView(string PhoneNumber, string State, string? Error);

/// <summary>The answer to a send (202, everything Pending) and to GET …/{id}; States maps a state to when it was reached.</summary>
public sealed record GatewayMessageView(
    string Id,
    string DeviceId,
    string State,
    bool IsHashed,
    bool IsEncrypted,
    IReadOnlyList<GatewayRecipientView> Recipients,
    IReadOnlyDictionary<string, string> States);

/// <summary>Both the app (Ktor StatusPages) and the cloud (ErrorResponse) answer errors as {"message": "…"}.</summary>
public sealed record GatewayError(string Message);

public sealed record GatewayWebhookRequest(string? Id, string? DeviceId, string? Url, string? Event);

/// <summary>The app's WebHookDTO as its local server returns it (deviceId null, so Gson leaves it out).</summary>
public sealed record LocalWebhookView(string Id, string Url, string Event, string Source);

/// <summary>The cloud's smsgateway.Webhook: deviceId is a *string without omitempty, so it is written even when null.</summary>
public sealed record CloudWebhookView(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? DeviceId,
    string Url,
    string Event);
