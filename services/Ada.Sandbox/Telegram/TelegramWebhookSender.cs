using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Telegram;

/// <summary>
/// Delivers the bot's updates to its webhook the way Telegram does: one JSON update per POST, oldest first, with
/// X-Telegram-Bot-Api-Secret-Token when a secret was set, again and again until a 2xx answer acknowledges it.
/// Telegram's backoff is minutes; here it starts at WebhookRetryMilliseconds and doubles up to ten times that.
/// </summary>
public sealed class TelegramWebhookSender(
    TelegramUpdates updates,
    IHttpClientFactory httpClients,
    IOptions<TelegramOptions> options,
    TimeProvider time,
    ILogger<TelegramWebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "telegram-webhook";
    public const string SecretTokenHeader = "X-Telegram-Bot-Api-Secret-Token";

    public async Task<WebhookAttempt> PostAsync(WebhookSettings webhook, BotUpdate update, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(update, TelegramBotApi.Json))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            },
        };
        if (webhook.SecretToken is { } secret)
        {
            request.Headers.Add(SecretTokenHeader, secret);
        }

        var attemptedAt = time.GetUtcNow();
        using var http = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            return new WebhookAttempt(
                update.UpdateId,
                webhook.Url,
                status,
                response.IsSuccessStatusCode ? null : $"Wrong response from the webhook: {status} {response.ReasonPhrase}",
                webhook.SecretToken is not null,
                attemptedAt);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var error = e switch
            {
                TaskCanceledException => "Read timeout expired",
                HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "Connection refused",
                _ => e.Message,
            };
            return new WebhookAttempt(update.UpdateId, webhook.Url, null, error, webhook.SecretToken is not null, attemptedAt);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = TimeSpan.FromMilliseconds(options.Value.WebhookRetryMilliseconds);
        var backoff = first;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (webhook, update) = await updates.NextForWebhookAsync(stoppingToken);
                var attempt = await PostAsync(webhook, update, stoppingToken);
                updates.RecordAttempt(attempt);
                if (attempt.Succeeded)
                {
                    backoff = first;
                    continue;
                }

                logger.LogInformation(
                    "Webhook {Url} refused update {UpdateId} ({Error}); retrying in {Backoff}", webhook.Url, update.UpdateId, attempt.Error, backoff);
                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, first.Ticks * 10));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
