namespace Ada.Api.Http;

/// <summary>
/// Refused webhook calls come from whoever found the address: each webhook logs them at most once a minute,
/// with a count and a fixed reason — nothing the request chose — so a stranger cannot grow the log.
/// </summary>
public sealed class RefusalLog(string webhook)
{
    private long _count;
    private long _lastLoggedTicks;

    public static readonly RefusalLog VkCallback = new("VK callback");
    public static readonly RefusalLog TelegramWebhook = new("Telegram webhook");

    public void Log(ILogger logger, string reason)
    {
        var count = Interlocked.Increment(ref _count);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastLoggedTicks);
        if (last != 0 && now - last < 60_000 || Interlocked.CompareExchange(ref _lastLoggedTicks, now, last) != last)
        {
            return;
        }
        logger.LogWarning("Refused a {Webhook} call: {Reason} ({Count} refused since the API started)", webhook, reason, count);
    }
}
