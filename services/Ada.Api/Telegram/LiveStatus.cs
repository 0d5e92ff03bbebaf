using System.Collections.Concurrent;
using Ada.Core;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Telegram;

/// <summary>
/// The status message of a message sent through the bot, edited as delivery moves. It follows the tracker's
/// source — the keyspace events of <c>history:{id}</c>, subscribed before the first read so no change is
/// missed — and edits at most once every <see cref="MinEditInterval"/> and only when the text changed
/// (Telegram allows about one message a second per chat, and refuses an edit to the same text), ending
/// with the final counts. A message due later than <see cref="FollowAhead"/> is not followed: its status
/// says when it goes out, and <c>/status CODE</c> tells more. Followed by the API instance that queued it;
/// if that instance stops, the message stops moving (the delivery does not).
/// </summary>
public sealed class LiveStatus(
    IConnectionMultiplexer mux, MessageStore messages, BotReplies replies, IOptions<SchedulingOptions> scheduling,
    TimeProvider time, IHostApplicationLifetime lifetime, ILogger<LiveStatus> logger) : IAsyncDisposable
{
    public static readonly TimeSpan MinEditInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan FollowAhead = TimeSpan.FromHours(1);

    /// <summary>How long after its delivery time a message is followed at most.</summary>
    public static readonly TimeSpan FollowFor = TimeSpan.FromHours(2);

    /// <summary>Edits failing in a row (the message was deleted, Telegram keeps refusing) before the message is left as it is.</summary>
    public const int MaxFailedEdits = 3;

    private readonly TimeZoneInfo _zone = scheduling.Value.Zone;
    private readonly ConcurrentDictionary<string, Task> _following = new(StringComparer.Ordinal);

    /// <summary>Shows the message's status in <paramref name="messageId"/> now, then follows it in the background.</summary>
    public async Task FollowAsync(long chatId, int messageId, string id, string code, string lang)
    {
        var history = await messages.GetHistoryAsync(id);
        if (history is null)
        {
            return;
        }
        var text = BotTexts.DeliveryStatus(history, code, _zone, lang);
        var shown = await replies.EditAsync(chatId, messageId, text) ? text : "";
        var shownAt = time.GetTimestamp();
        if ((IsFinal(history) && shown == text)
            || history.DeliverAtMs - time.GetUtcNow().ToUnixTimeMilliseconds() > FollowAhead.TotalMilliseconds)
        {
            return;
        }
        var following = Task.Run(() => FollowLoopAsync(chatId, messageId, id, code, lang, shown, shownAt, lifetime.ApplicationStopping),
            CancellationToken.None);
        _following[$"{chatId}:{messageId}"] = following;
        _ = following.ContinueWith(_ => _following.TryRemove($"{chatId}:{messageId}", out Task? _), TaskScheduler.Default);
    }

    /// <summary>Every message being followed, for shutdown and tests.</summary>
    public int Following => _following.Count;

    /// <summary><paramref name="shown"/> is what the message reads since <paramref name="lastEdit"/> ("" when that edit failed).</summary>
    private async Task FollowLoopAsync(
        long chatId, int messageId, string id, string code, string lang, string shown, long lastEdit, CancellationToken stop)
    {
        ChannelMessageQueue? notifications = null;
        var failedEdits = 0;
        try
        {
            notifications = await mux.GetSubscriber().SubscribeAsync(RedisChannel.KeySpaceSingleKey(Keys.History(id), mux.Database()));
            var history = await messages.GetHistoryAsync(id);
            var until = DateTimeOffset.FromUnixTimeMilliseconds(history?.DeliverAtMs ?? 0) + FollowFor;
            while (history is not null && !stop.IsCancellationRequested)
            {
                var text = BotTexts.DeliveryStatus(history, code, _zone, lang);
                if (text != shown)
                {
                    // At most one edit per interval: wait out the rest of it, then show what is true then.
                    var wait = MinEditInterval - time.GetElapsedTime(lastEdit);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, stop);
                        history = await messages.GetHistoryAsync(id) ?? history;
                        text = BotTexts.DeliveryStatus(history, code, _zone, lang);
                    }
                    if (text != shown)
                    {
                        // A failed edit is tried again on the next change or look, so the final counts are not lost to one error.
                        var edited = await replies.EditAsync(chatId, messageId, text, cancel: stop);
                        lastEdit = time.GetTimestamp();
                        (shown, failedEdits) = edited ? (text, 0) : (shown, failedEdits + 1);
                    }
                }
                if ((IsFinal(history) && text == shown) || failedEdits >= MaxFailedEdits || time.GetUtcNow() > until)
                {
                    return;
                }
                await WaitForChangeAsync(notifications, TimeSpan.FromSeconds(15), stop);
                history = await messages.GetHistoryAsync(id);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Shutting down: the message stays as last shown.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Stopped following {MessageId} for chat {ChatId}", id, chatId);
        }
        finally
        {
            if (notifications is not null)
            {
                await notifications.UnsubscribeAsync();
            }
        }
    }

    /// <summary>Returns when the document was set (or after <paramref name="wait"/>, to look anyway); consumes every queued notification.</summary>
    private static async Task WaitForChangeAsync(ChannelMessageQueue notifications, TimeSpan wait, CancellationToken stop)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timer.CancelAfter(wait);
        try
        {
            await notifications.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return;
        }
        while (notifications.TryRead(out _))
        {
        }
    }

    private static bool IsFinal(HistoryDocument history) => history.State is MessageStates.Done or MessageStates.Cancelled;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(_following.Values).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Shutting down anyway.
        }
    }
}
