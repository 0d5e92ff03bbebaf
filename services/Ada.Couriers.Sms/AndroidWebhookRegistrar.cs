using Microsoft.Extensions.Options;

namespace Ada.Couriers.Sms;

/// <summary>
/// When <c>Sms:PublicUrl</c> is set, makes sure the Android gateway posts its events to Ada's API:
/// <c>sms:sent</c>, <c>sms:delivered</c>, <c>sms:failed</c> → <c>{PublicUrl}/v1/sms/reports</c> and
/// <c>sms:received</c> → <c>{PublicUrl}/v1/sms/inbound</c>. It lists what is registered first and adds only
/// what is missing, so restarts and several instances do not duplicate webhooks. An unreachable gateway is
/// logged and tried again (the courier keeps sending meanwhile); once registered, the list is checked again
/// every <c>Sms:WebhookCheckMinutes</c>, since a reinstalled app forgets its webhooks.
/// </summary>
public sealed class AndroidWebhookRegistrar(
    AndroidGatewayClient gateway,
    IOptions<SmsOptions> options,
    TimeProvider time,
    ILogger<AndroidWebhookRegistrar> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private readonly SmsOptions _options = options.Value;

    /// <summary>The (event, url) pairs Ada wants.</summary>
    public static IReadOnlyList<(string Event, string Url)> Wanted(string publicUrl)
    {
        var root = publicUrl.TrimEnd('/');
        return
        [
            ("sms:sent", $"{root}/v1/sms/reports"),
            ("sms:delivered", $"{root}/v1/sms/reports"),
            ("sms:failed", $"{root}/v1/sms/reports"),
            ("sms:received", $"{root}/v1/sms/inbound"),
        ];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var added = await EnsureAsync(stoppingToken);
                if (added > 0)
                {
                    logger.LogInformation("Registered {Count} webhooks with the Android gateway for {PublicUrl}", added, _options.PublicUrl);
                }
                retry = TimeSpan.FromSeconds(2);
                wait = TimeSpan.FromMinutes(_options.WebhookCheckMinutes);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                logger.LogWarning(e, "Could not register the webhooks with the Android gateway; trying again in {Seconds} s", retry.TotalSeconds);
                wait = retry;
                retry = retry * 2 > MaxRetryDelay ? MaxRetryDelay : retry * 2;
            }
            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Registers what is missing; returns how many webhooks it added.</summary>
    public async Task<int> EnsureAsync(CancellationToken cancellationToken)
    {
        var existing = await gateway.ListWebhooksAsync(cancellationToken);
        var added = 0;
        foreach (var (@event, url) in Wanted(_options.PublicUrl!))
        {
            if (existing.Any(w => w.Event == @event && string.Equals(w.Url.TrimEnd('/'), url, StringComparison.Ordinal)))
            {
                continue;
            }
            await gateway.RegisterWebhookAsync(url, @event, cancellationToken);
            added++;
        }
        return added;
    }
}
