using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Ada.Core;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Telegram;

/// <summary>
/// The status message of a message sent through the bot, edited as delivery moves, by whichever API instance
/// is up. A follow is kept in Redis: <c>telegram:follow:{id}</c> (chat, Telegram message, code, language and the
/// text last shown) and an entry of <c>telegram:follows</c> scored by when following starts — <see cref="Lead"/>
/// before the message is due, so "tomorrow 08:00" or a night message moved to the morning is followed then.
/// Every instance looks at the due entries when the next one falls due (a timer to the next score, at least every
/// <see cref="IdleLook"/>; more often only while another instance follows something, to take over), and follows an
/// entry while it holds the entry's lease (<c>telegram:follow-lease:{id}</c>, <c>lua/lease.lua</c>, renewed every
/// third of <see cref="Lease"/>). A follow reads the keyspace events of <c>history:{id}</c> (subscribed before the
/// first read so no change is missed) and edits at most once every <see cref="MinEditInterval"/> and only when the
/// text differs from the one recorded as shown, so an instance that takes over after another died goes on from
/// the current history without repeating an edit (should the dead one have edited without recording it, Telegram's
/// "message is not modified" counts as done). It ends after showing a final state (done, cancelled), after
/// <see cref="FollowFor"/> past the due time, or after <see cref="MaxFailedEdits"/> failed edits in a row; a
/// message rescheduled later is given back to the index at its new time.
/// </summary>
public sealed class LiveStatus(
    IConnectionMultiplexer mux, AdaScripts scripts, MessageStore messages, BotReplies replies, IOptions<SchedulingOptions> scheduling,
    TimeProvider time, ILogger<LiveStatus> logger)
{
    public static readonly TimeSpan MinEditInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long after its delivery time a message is followed at most.</summary>
    public static readonly TimeSpan FollowFor = TimeSpan.FromHours(2);

    /// <summary>Following starts this long before the message is due.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromSeconds(5);

    /// <summary>The follower's lease: a follow whose instance died is taken over within it plus half of it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    /// <summary>The longest an instance goes without looking at the index (a follow added or hurried by another instance).</summary>
    public static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(30);

    /// <summary>Edits failing in a row (the message was deleted, Telegram keeps refusing) before the message is left as it is.</summary>
    public const int MaxFailedEdits = 3;

    /// <summary>Due entries taken in one look.</summary>
    private const int Batch = 100;

    private readonly TimeZoneInfo _zone = scheduling.Value.Zone;
    private readonly string _holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<string, Task> _following = new(StringComparer.Ordinal);
    private readonly Channel<bool> _look = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private IDatabase Db => mux.GetDatabase();

    /// <summary>Every message this instance follows now, for tests.</summary>
    public int Following => _following.Count;

    /// <summary>Shows the message's status in <paramref name="messageId"/> now; unless that is final, records the follow.</summary>
    public async Task FollowAsync(long chatId, int messageId, string id, string code, string lang)
    {
        var history = await messages.GetHistoryAsync(id);
        if (history is null)
        {
            return;
        }
        var text = BotTexts.DeliveryStatus(history, code, _zone, lang);
        var shown = await replies.EditAsync(chatId, messageId, text) ? text : "";
        if (IsFinal(history) && shown == text)
        {
            return;
        }
        var record = Keys.TelegramFollow(id);
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(record,
        [
            new("chat", chatId), new("message", messageId), new("code", code), new("lang", lang), new("shown", shown),
        ]);
        _ = transaction.KeyExpireAsync(record, Expiry(history));
        await transaction.ExecuteAsync();
        await Db.SortedSetAddAsync(Keys.TelegramFollows, id, StartOf(history));
        _look.Writer.TryWrite(true);
    }

    /// <summary>Follows the due entries of the index until <paramref name="stop"/>; runs in every instance with the bot on.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await StartDueAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not look at the bot's status messages to follow; looking again in {Seconds} s", Lease.TotalSeconds / 2);
                wait = Lease / 2;
            }
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timer.CancelAfter(wait);
            try
            {
                await _look.Reader.ReadAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // Time to look.
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        try
        {
            // Each follow gives its lease back as it stops, so another instance takes over at once.
            await Task.WhenAll(_following.Values).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Shutting down anyway; the leases lapse by themselves.
        }
    }

    /// <summary>Takes the due entries no instance follows; returns how long until the next look.</summary>
    private async Task<TimeSpan> StartDueAsync(CancellationToken stop)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = await Db.SortedSetRangeByScoreAsync(Keys.TelegramFollows, double.NegativeInfinity, now, take: Batch);
        var elsewhere = false;
        foreach (var member in due)
        {
            var id = member.ToString();
            if (_following.ContainsKey(id))
            {
                continue;
            }
            var lease = new RedisLease(mux, scripts, Keys.TelegramFollowLease(id), _holder);
            if (!await lease.HoldAsync(Lease))
            {
                elsewhere = true;
                continue;
            }
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _following[id] = FollowWhenToldAsync(go.Task, id, lease, stop);
            go.SetResult();
        }
        if (elsewhere || due.Length == Batch)
        {
            // Another instance follows some: look again before its lease could have lapsed unnoticed for long.
            return Lease / 2;
        }
        var next = await Db.SortedSetRangeByScoreWithScoresAsync(Keys.TelegramFollows, now, double.PositiveInfinity, Exclude.Start, take: 1);
        return next.Length == 0
            ? IdleLook
            : TimeSpan.FromMilliseconds(Math.Clamp(next[0].Score - now, 1, IdleLook.TotalMilliseconds));
    }

    /// <summary>Starts once it is in <see cref="_following"/>, and leaves it when done.</summary>
    private async Task FollowWhenToldAsync(Task go, string id, RedisLease lease, CancellationToken stop)
    {
        await go;
        try
        {
            await FollowLeasedAsync(id, lease, stop);
        }
        finally
        {
            _following.TryRemove(id, out _);
        }
    }

    private async Task FollowLeasedAsync(string id, RedisLease lease, CancellationToken stop)
    {
        using var held = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var renewing = RenewAsync(id, lease, held);
        var over = false;
        try
        {
            over = await FollowWhileHeldAsync(id, held.Token);
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested)
        {
            // Shutting down or the lease is lost: the message stays as last shown until an instance goes on.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Following the status message of {MessageId} failed; it is looked at again", id);
        }
        finally
        {
            await held.CancelAsync();
            await renewing;
            await LetGoAsync(id, lease, over);
        }
    }

    /// <summary>Ends the follow (<paramref name="over"/>) or leaves it in the index; gives the lease back either way.</summary>
    private async Task LetGoAsync(string id, RedisLease lease, bool over)
    {
        try
        {
            if (over)
            {
                await Db.SortedSetRemoveAsync(Keys.TelegramFollows, id);
                await Db.KeyDeleteAsync(Keys.TelegramFollow(id));
            }
            await lease.ReleaseAsync();
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Could not let go of the status message of {MessageId}; its lease lapses by itself", id);
        }
    }

    /// <summary>Edits the status message while the history moves; true when the follow is over, false when it waits for a later time.</summary>
    private async Task<bool> FollowWhileHeldAsync(string id, CancellationToken held)
    {
        var record = await Db.HashGetAllAsync(Keys.TelegramFollow(id));
        var fields = record.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        if (!fields.TryGetValue("chat", out var chatText) || !fields.TryGetValue("message", out var messageText)
            || !long.TryParse(chatText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chatId)
            || !int.TryParse(messageText, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId))
        {
            return true;
        }
        var code = fields.GetValueOrDefault("code", "");
        var lang = fields.GetValueOrDefault("lang", Languages.Russian);
        var shown = fields.GetValueOrDefault("shown", "");
        var notifications = await mux.GetSubscriber().SubscribeAsync(RedisChannel.KeySpaceSingleKey(Keys.History(id), mux.Database()));
        try
        {
            var history = await messages.GetHistoryAsync(id);
            var lastEdit = 0L;
            var failedEdits = 0;
            while (history is not null)
            {
                var text = BotTexts.DeliveryStatus(history, code, _zone, lang);
                if (text != shown)
                {
                    // At most one edit per interval: wait out the rest of it, then show what is true then.
                    var wait = MinEditInterval - time.GetElapsedTime(lastEdit);
                    if (lastEdit != 0 && wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, held);
                        history = await messages.GetHistoryAsync(id) ?? history;
                        text = BotTexts.DeliveryStatus(history, code, _zone, lang);
                    }
                    if (text != shown)
                    {
                        // A failed edit is tried again on the next change or look, so the final counts are not lost to one error.
                        var edited = await replies.EditAsync(chatId, messageId, text, cancel: held);
                        lastEdit = time.GetTimestamp();
                        if (edited)
                        {
                            (shown, failedEdits) = (text, 0);
                            await Db.HashSetAsync(Keys.TelegramFollow(id), "shown", text);
                        }
                        else
                        {
                            failedEdits++;
                        }
                    }
                }
                if (IsFinal(history) && text == shown)
                {
                    return true;
                }
                if (failedEdits >= MaxFailedEdits)
                {
                    logger.LogWarning("Gave up the status message of {MessageId} in chat {ChatId} after {Failures} failed edits", id, chatId, failedEdits);
                    return true;
                }
                var now = time.GetUtcNow();
                if (now > DateTimeOffset.FromUnixTimeMilliseconds(history.DeliverAtMs) + FollowFor)
                {
                    return true;
                }
                if (history.State == MessageStates.Scheduled && StartOf(history) > (now + Lease).ToUnixTimeMilliseconds())
                {
                    // Rescheduled later (or hurried here by a change while still far off): wait in the index for its new time.
                    await Db.KeyExpireAsync(Keys.TelegramFollow(id), Expiry(history));
                    await Db.SortedSetAddAsync(Keys.TelegramFollows, id, StartOf(history));
                    return false;
                }
                await WaitForChangeAsync(notifications, TimeSpan.FromSeconds(15), held);
                history = await messages.GetHistoryAsync(id);
            }
            return true;
        }
        finally
        {
            await notifications.UnsubscribeAsync();
        }
    }

    private async Task RenewAsync(string id, RedisLease lease, CancellationTokenSource held)
    {
        try
        {
            while (!held.IsCancellationRequested)
            {
                await Task.Delay(Lease / 3, time, held.Token);
                bool kept;
                try
                {
                    kept = await lease.HoldAsync(Lease);
                }
                catch (RedisException e)
                {
                    logger.LogWarning(e, "Could not renew the lease on the status message of {MessageId}", id);
                    continue;
                }
                if (!kept)
                {
                    logger.LogWarning("Lost the lease on the status message of {MessageId}; another instance follows it", id);
                    await held.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The follow stopped.
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

    /// <summary>When following starts: <see cref="Lead"/> before the message is due.</summary>
    private static long StartOf(HistoryDocument history) => history.DeliverAtMs - (long)Lead.TotalMilliseconds;

    /// <summary>The follow record outlives the longest follow by an hour, so a forgotten one goes by itself.</summary>
    private static DateTime Expiry(HistoryDocument history) =>
        DateTimeOffset.FromUnixTimeMilliseconds(history.DeliverAtMs).UtcDateTime + FollowFor + TimeSpan.FromHours(1);

    private static bool IsFinal(HistoryDocument history) => history.State is MessageStates.Done or MessageStates.Cancelled;
}
