using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Vk;

/// <summary>Status and Body are what the callback server answered (VK wants 200 and "ok"); Error when it did not answer.</summary>
public sealed record VkCallbackDelivery(Uri Url, string EventId, int? Status, string? Body, string? Error);

/// <summary>
/// POSTs Callback API events to Sandbox:Vk:CallbackUrl the way VK does: one JSON object with group_id, type,
/// event_id (40 hex digits), v, object and, when configured, secret. One attempt; VK's retries are not modelled.
/// </summary>
public sealed class VkCallbackSender(IHttpClientFactory httpClients, IOptions<VkOptions> options, ILogger<VkCallbackSender> logger)
{
    public const string HttpClientName = "vk-callback";

    private const int MaxEchoedBodyLength = 1000;

    /// <summary>Null when no CallbackUrl is configured.</summary>
    public async Task<VkCallbackDelivery?> SendAsync(string type, object eventObject, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.CallbackUrl is not { } url)
        {
            return null;
        }

        var eventId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var callback = new VkCallbackEvent(
            settings.GroupId, type, eventId, VkApi.Version, eventObject, string.IsNullOrEmpty(settings.Secret) ? null : settings.Secret);

        using var http = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await http.PostAsJsonAsync(url, callback, VkApi.Json, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return new VkCallbackDelivery(
                url, eventId, (int)response.StatusCode, body.Length > MaxEchoedBodyLength ? body[..MaxEchoedBodyLength] : body, null);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning(e, "VK callback {Type} to {Url} failed", type, url);
            return new VkCallbackDelivery(url, eventId, null, null, e.Message);
        }
    }
}
