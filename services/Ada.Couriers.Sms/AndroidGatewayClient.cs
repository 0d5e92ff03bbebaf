using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ada.Core.Couriers;

namespace Ada.Couriers.Sms;

/// <summary>
/// SMS Gateway for Android (capcom6/android-sms-gateway) over HTTP with basic auth. One request carries one
/// text and several numbers: <c>POST message</c> on the phone's local server, <c>POST messages</c> on the
/// cloud or a private server (base address ending in <c>/3rdparty/v1</c>); body
/// <c>{"id","textMessage":{"text"},"phoneNumbers":[…],"withDeliveryReport":true}</c>; answer 202
/// <c>{"id","state","recipients":[{"phoneNumber","state","error"?}]}</c>. The message has one id for all its numbers,
/// and the gateway's reports name the id and the number, so each receipt remembers <see cref="SmsProviderIds.AndroidGateway"/>.
/// The id is ours (<see cref="MessageId"/>): the same for a retry of the same request, so a request whose answer was lost
/// and that is sent again is refused with 409 (the gateway keeps one message per id) instead of texting everyone twice;
/// 409 is therefore taken as "accepted earlier". Webhooks: <c>GET|POST webhooks</c> with <c>{"url","event"}</c>.
/// </summary>
public sealed class AndroidGatewayClient(HttpClient http, SmsOptions options, ILogger<AndroidGatewayClient> logger) : ISmsGateway
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Name => SmsOptions.AndroidGateway;

    public int MaxRecipientsPerRequest => options.AndroidRecipientsPerRequest;

    public bool PollsDeliveryStatus => false;

    /// <summary>The cloud and private servers name the send endpoint <c>messages</c>; the local server also knows the older <c>message</c>.</summary>
    private string SendPath => IsServerMode(http.BaseAddress) ? "messages" : "message";

    public static AuthenticationHeaderValue BasicAuth(string username, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    public static bool IsServerMode(Uri? baseAddress) =>
        baseAddress?.AbsolutePath.TrimEnd('/').EndsWith("/3rdparty/v1", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// The message id Ada gives a send request: 32 lower-case hex characters of SHA-256 over the request key, the text and
    /// the numbers in order (ordinal), each part length-prefixed. The gateways take at most 36 characters (the cloud
    /// validates <c>max=36</c>). Deterministic, so a retry of the same request carries the same id; another message,
    /// other people or other numbers (the one-by-one resend after a 400) give another.
    /// </summary>
    public static string MessageId(string requestKey, string text, IEnumerable<string> phoneNumbers)
    {
        var canonical = new StringBuilder();
        foreach (var part in phoneNumbers.Order(StringComparer.Ordinal).Prepend(text).Prepend(requestKey))
        {
            canonical.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..32];
    }

    public async Task<IReadOnlyList<SmsSendResult>> SendAsync(string text, IReadOnlyList<string> phoneNumbers, string requestKey,
        CancellationToken cancellationToken)
    {
        var id = MessageId(requestKey, text, phoneNumbers);
        var request = new SendRequest(id, new TextMessage(text), phoneNumbers, WithDeliveryReport: true);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(SendPath, request, Json, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var reason = e is TaskCanceledException ? "the gateway did not answer in time" : e.Message;
            return Every(phoneNumbers, new SmsSendResult.Transient("network", reason));
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return await ReadAcceptedAsync(response, id, phoneNumbers, cancellationToken);
            }
            var detail = await ErrorMessageAsync(response, cancellationToken);
            var status = (int)response.StatusCode;
            switch (response.StatusCode)
            {
                case HttpStatusCode.BadRequest when phoneNumbers.Count > 1:
                    // One bad number fails the whole request (phone validation); send one by one to find it.
                    var results = new List<SmsSendResult>(phoneNumbers.Count);
                    foreach (var phone in phoneNumbers)
                    {
                        // Each with its own id (it is another request); the same one if this resend is itself retried.
                        results.AddRange(await SendAsync(text, [phone], requestKey, cancellationToken));
                    }
                    return results;
                case HttpStatusCode.Conflict:
                    // "duplicate id" (cloud) / "Message with the same ID already exists" (app): an earlier try of this very
                    // request got through though its answer did not reach us. The gateway has it; its reports name our id.
                    logger.LogInformation(
                        "The Android gateway already has message {GatewayMessageId} ({Count} numbers): an earlier try was accepted; taken as sent ({Detail})",
                        id, phoneNumbers.Count, detail);
                    return [.. phoneNumbers.Select(phone => new SmsSendResult.Accepted(SmsProviderIds.AndroidGateway(id, phone)))];
                case HttpStatusCode.BadRequest:
                    return Every(phoneNumbers, new SmsSendResult.Rejected("rejected", $"400: {detail}"));
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    // A configuration fault, not the recipients': keep their texts and retry until someone fixes it.
                    logger.LogError("The Android gateway refused Sms:Username/Sms:Password ({Status}): {Detail}", status, detail);
                    return Every(phoneNumbers, new SmsSendResult.Transient("unauthorized", $"{status}: {detail}"));
                case HttpStatusCode.TooManyRequests:
                    return Every(phoneNumbers, new SmsSendResult.Transient("throttled", $"429: {detail}",
                        RetryAfter(response) ?? TimeSpan.FromSeconds(5), Throttled: true));
                default:
                    return Every(phoneNumbers, status >= 500
                        ? new SmsSendResult.Transient($"provider_{status}", $"{status}: {detail}", RetryAfter(response))
                        : new SmsSendResult.Rejected("rejected", $"{status}: {detail}"));
            }
        }
    }

    public async Task<IReadOnlyList<Webhook>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<List<Webhook>>("webhooks", Json, cancellationToken) ?? [];

    public async Task RegisterWebhookAsync(string url, string @event, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("webhooks", new Webhook(null, url, @event), Json, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"registering webhook {@event} answered {(int)response.StatusCode}: {await ErrorMessageAsync(response, cancellationToken)}",
                null, response.StatusCode);
        }
    }

    private async Task<IReadOnlyList<SmsSendResult>> ReadAcceptedAsync(HttpResponseMessage response, string id,
        IReadOnlyList<string> phoneNumbers, CancellationToken cancellationToken)
    {
        MessageState? state = null;
        try
        {
            state = await response.Content.ReadFromJsonAsync<MessageState>(Json, cancellationToken);
        }
        catch (JsonException e)
        {
            // Accepted all the same: sending again would text everyone twice. The message carries our id.
            logger.LogWarning(e, "The Android gateway accepted message {GatewayMessageId} but its answer could not be read", id);
        }
        // The gateway keeps the id it was given; should an answer name another, its reports will name that one.
        var messageId = string.IsNullOrEmpty(state?.Id) ? id : state.Id;
        var recipients = (state?.Recipients ?? [])
            .GroupBy(r => SmsProviderIds.Digits(r.PhoneNumber ?? ""))
            .ToDictionary(g => g.Key, g => g.First());
        return [.. phoneNumbers.Select(phone =>
        {
            recipients.TryGetValue(SmsProviderIds.Digits(phone), out var recipient);
            if (string.Equals(recipient?.State, "Failed", StringComparison.OrdinalIgnoreCase))
            {
                return new SmsSendResult.Rejected("rejected", recipient!.Error ?? "the gateway marked the number failed");
            }
            return (SmsSendResult)new SmsSendResult.Accepted(SmsProviderIds.AndroidGateway(messageId, phone));
        })];
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
        }
        return body.Length > 200 ? body[..200] : body.Length == 0 ? response.ReasonPhrase ?? "" : body;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    private static SmsSendResult[] Every(IReadOnlyList<string> phoneNumbers, SmsSendResult result) =>
        [.. phoneNumbers.Select(_ => result)];

    private sealed record TextMessage(string Text);

    private sealed record SendRequest(string Id, TextMessage TextMessage, IReadOnlyList<string> PhoneNumbers, bool WithDeliveryReport);

    private sealed record RecipientState(string? PhoneNumber, string? State, string? Error);

    private sealed record MessageState(string? Id, string? State, IReadOnlyList<RecipientState>? Recipients);

    public sealed record Webhook(string? Id, string Url, string Event);
}
