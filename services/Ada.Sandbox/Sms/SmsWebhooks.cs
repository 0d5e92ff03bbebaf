using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Sms;

/// <summary>The events the gateway knows (client-go smsgateway.WebhookEvent); the sandbox fires the sms:* text ones.</summary>
public static class SmsWebhookEvents
{
    public const string Received = "sms:received";
    public const string DataReceived = "sms:data-received";
    public const string Sent = "sms:sent";
    public const string Delivered = "sms:delivered";
    public const string Failed = "sms:failed";
    public const string SystemPing = "system:ping";
    public const string MmsReceived = "mms:received";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Received, DataReceived, Sent, Delivered, Failed, SystemPing, MmsReceived,
    };
}

/// <summary>
/// The JSON the app POSTs for every event (WebHookEventDTO): a fresh id per delivery, the registration it answers
/// (webhookId) and the event's payload.
/// </summary>
public sealed record SmsWebhookEnvelope(string DeviceId, string Event, string Id, SmsWebhookPayload Payload, string WebhookId);

/// <summary>
/// The sms:* payloads in one shape, nulls omitted as the app's Gson omits them. phoneNumber is deprecated but still
/// sent: the other party's number (the sender for sms:received, the recipient otherwise). Times are device-local
/// ISO 8601 with milliseconds and offset.
/// </summary>
public sealed record SmsWebhookPayload(
    string MessageId,
    string PhoneNumber,
    string? Message = null,
    string? Sender = null,
    string? Recipient = null,
    int? SimNumber = null,
    int? PartsCount = null,
    string? ReceivedAt = null,
    string? SentAt = null,
    string? DeliveredAt = null,
    string? FailedAt = null,
    string? Reason = null);

public sealed record SmsWebhookRegistration(string Id, string Url, string Event, GatewaySource Source, string? DeviceId);

/// <summary>One POST of a webhook: Status and Body are what the receiver answered, Error when it did not answer.</summary>
public sealed record SmsWebhookAttempt(
    string EnvelopeId,
    string WebhookId,
    string Event,
    string Url,
    int? Status,
    string? Body,
    string? Error,
    DateTimeOffset AttemptedAt,
    bool Replay);

/// <summary>
/// Webhook registrations (the local server's and the cloud's lists, both fired, as the app fires every registration
/// of the event) and their delivery: signed like the app's PayloadSigningPlugin, one attempt each with a short
/// timeout, every attempt logged. The exact bytes and headers of each delivery are kept so it can be replayed.
/// </summary>
public sealed class SmsWebhooks(
    IHttpClientFactory httpClients,
    SmsState state,
    IOptions<SmsOptions> options,
    TimeProvider time,
    ILogger<SmsWebhooks> logger)
{
    public const string HttpClientName = "sms-webhooks";

    /// <summary>The webhookId of deliveries to Sandbox:Sms:WebhookUrl, which no registration stands behind.</summary>
    public const string DefaultWebhookId = "sandbox-default";

    private const int MaxKept = 10_000;
    private const int MaxEchoedBodyLength = 1000;

    private readonly ConcurrentDictionary<(GatewaySource Source, string Id), Registered> registrations = new();
    private readonly ConcurrentQueue<SmsWebhookAttempt> log = new();
    private readonly ConcurrentDictionary<string, FiredWebhook> fired = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> firedOrder = new();
    private long registrationOrder;

    /// <summary>Adds the webhook, or replaces the one with the same id in the same list.</summary>
    public SmsWebhookRegistration Register(GatewaySource source, string? id, string url, string @event, string? deviceId)
    {
        var registration = new SmsWebhookRegistration(string.IsNullOrEmpty(id) ? NanoId.New() : id, url, @event, source, deviceId);
        registrations.AddOrUpdate(
            (source, registration.Id),
            _ => new Registered(registration, Interlocked.Increment(ref registrationOrder)),
            (_, existing) => existing with { Registration = registration });
        return registration;
    }

    public IReadOnlyList<SmsWebhookRegistration> List(GatewaySource source) =>
        [.. registrations.Values.Where(r => r.Registration.Source == source).OrderBy(r => r.Order).Select(r => r.Registration)];

    public void Delete(GatewaySource source, string id) => registrations.TryRemove((source, id), out _);

    /// <summary>Every registration of the event, or Sandbox:Sms:WebhookUrl when there is none.</summary>
    public IReadOnlyList<(string WebhookId, Uri Url)> Targets(string @event)
    {
        var registered = registrations.Values
            .Where(r => r.Registration.Event == @event)
            .OrderBy(r => r.Order)
            .Select(r => (r.Registration.Id, new Uri(r.Registration.Url)))
            .ToList();
        if (registered.Count > 0 || options.Value.WebhookUrl is not { } baseUrl)
        {
            return registered;
        }

        var route = @event == SmsWebhookEvents.Received ? "v1/sms/inbound" : "v1/sms/reports";
        return [(DefaultWebhookId, new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + route))];
    }

    public async Task<IReadOnlyList<SmsWebhookAttempt>> FireAsync(string @event, SmsWebhookPayload payload, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var attempts = new List<SmsWebhookAttempt>();
        foreach (var (webhookId, url) in Targets(@event))
        {
            var envelope = new SmsWebhookEnvelope(settings.DeviceId, @event, NanoId.New(), payload, webhookId);
            var body = JsonSerializer.SerializeToUtf8Bytes(envelope, SmsGatewayApi.Json);
            string? timestamp = null;
            string? signature = null;
            if (!string.IsNullOrEmpty(settings.SigningKey))
            {
                timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                signature = Sign(settings.SigningKey, body, timestamp);
            }

            var webhook = new FiredWebhook(envelope.Id, webhookId, @event, url, body, timestamp, signature);
            Keep(webhook);
            attempts.Add(await PostAsync(webhook, replay: false, cancellationToken));
        }

        return attempts;
    }

    /// <summary>Sends a delivery again with the same bytes, X-Timestamp and X-Signature; null if it is unknown.</summary>
    public async Task<SmsWebhookAttempt?> ReplayAsync(string envelopeId, CancellationToken cancellationToken) =>
        fired.TryGetValue(envelopeId, out var webhook) ? await PostAsync(webhook, replay: true, cancellationToken) : null;

    public IReadOnlyList<SmsWebhookAttempt> Log() => [.. log];

    public void ClearLog() => log.Clear();

    /// <summary>Lower-case hex HMAC-SHA256 of the raw body followed by the timestamp, keyed with the signing key.</summary>
    public static string Sign(string key, byte[] body, string timestamp)
    {
        var message = new byte[body.Length + Encoding.UTF8.GetByteCount(timestamp)];
        body.CopyTo(message, 0);
        Encoding.UTF8.GetBytes(timestamp, message.AsSpan(body.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message));
    }

    private async Task<SmsWebhookAttempt> PostAsync(FiredWebhook webhook, bool replay, CancellationToken cancellationToken)
    {
        state.Counters.WebhooksFired.Add();
        var attemptedAt = time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
        request.Headers.UserAgent.ParseAdd("me.capcom.smsgateway/sandbox");
        if (webhook.Signature is not null)
        {
            request.Headers.Add("X-Signature", webhook.Signature);
            request.Headers.Add("X-Timestamp", webhook.Timestamp);
        }

        SmsWebhookAttempt attempt;
        using var http = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            attempt = new SmsWebhookAttempt(
                webhook.EnvelopeId,
                webhook.WebhookId,
                webhook.Event,
                webhook.Url.AbsoluteUri,
                (int)response.StatusCode,
                body.Length > MaxEchoedBodyLength ? body[..MaxEchoedBodyLength] : body,
                null,
                attemptedAt,
                replay);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning(e, "SMS webhook {Event} to {Url} failed", webhook.Event, webhook.Url);
            attempt = new SmsWebhookAttempt(
                webhook.EnvelopeId, webhook.WebhookId, webhook.Event, webhook.Url.AbsoluteUri, null, null, e.Message, attemptedAt, replay);
        }

        log.Enqueue(attempt);
        while (log.Count > MaxKept)
        {
            log.TryDequeue(out _);
        }

        return attempt;
    }

    private void Keep(FiredWebhook webhook)
    {
        fired[webhook.EnvelopeId] = webhook;
        firedOrder.Enqueue(webhook.EnvelopeId);
        while (firedOrder.Count > MaxKept && firedOrder.TryDequeue(out var oldest))
        {
            fired.TryRemove(oldest, out _);
        }
    }

    private sealed record Registered(SmsWebhookRegistration Registration, long Order);

    private sealed record FiredWebhook(
        string EnvelopeId, string WebhookId, string Event, Uri Url, byte[] Body, string? Timestamp, string? Signature);
}

/// <summary>The app's and the cloud's ids: 21 characters of A–Z, a–z, 0–9, '_' and '-' (jnanoid's defaults).</summary>
public static class NanoId
{
    private const string Alphabet = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public static string New() => new(RandomNumberGenerator.GetItems<char>(Alphabet, 21));
}
