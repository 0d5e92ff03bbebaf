using System.Text.Json;

namespace Ada.Api.Sms;

/// <summary>
/// A webhook of SMS Gateway for Android: <c>{"deviceId","event","id","payload":{…},"webhookId"}</c>. <c>id</c>
/// names the event and stays the same when the gateway retries it.
/// </summary>
public sealed record SmsWebhookEnvelope(string? DeviceId, string? Event, string? Id, SmsWebhookPayload? Payload, string? WebhookId);

/// <summary>
/// The payload of <c>sms:received</c> (<c>messageId</c>, <c>message</c>, <c>phoneNumber</c>, <c>simNumber</c>,
/// <c>receivedAt</c>) and of <c>sms:sent</c> / <c>sms:delivered</c> / <c>sms:failed</c> (<c>messageId</c>: the id
/// the gateway gave the sent message, <c>phoneNumber</c>: the recipient, <c>reason</c> when failed). Times are
/// the phone's local time and are not used.
/// </summary>
public sealed record SmsWebhookPayload(
    string? MessageId,
    string? Message,
    string? PhoneNumber,
    JsonElement? SimNumber,
    string? ReceivedAt,
    string? SentAt,
    string? DeliveredAt,
    string? FailedAt,
    string? Reason);

/// <summary>What Ada did with a webhook (the gateway only needs the 2xx; this is for people and tests).</summary>
public sealed record SmsWebhookAnswer(string Outcome);

public static class SmsEvents
{
    public const string Received = "sms:received";
    public const string Sent = "sms:sent";
    public const string Delivered = "sms:delivered";
    public const string Failed = "sms:failed";
}
