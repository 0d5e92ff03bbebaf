using System.Collections.Concurrent;
using System.Threading.Channels;
using Ada.Core.Hosting;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Ada.Core.Schedules;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Core.Couriers;

/// <summary>
/// The courier runtime: one per courier process, whatever the channel.
/// <list type="bullet">
/// <item>Fast path: the keyevents <c>expired</c> and <c>del</c> of <c>delivery:*</c> put the id on a local work queue.</item>
/// <item>Clock: Redis announces an expired key only when it samples or reads it, so every instance reads
/// (touches) each order of the due index as it falls due, and the event fires within milliseconds.</item>
/// <item>Safety net: a sweep of the due index at start, after every reconnect and every few seconds
/// queues due ids nobody finished (events are fire-and-forget and lost while disconnected).</item>
/// </list>
/// Both paths end in the same claim script, so they cannot double-send; a few workers send claimed messages.
/// </summary>
public sealed class CourierService(
    IConnectionMultiplexer mux,
    CourierStore store,
    CourierRegistry registry,
    DeliveryRunner runner,
    IChannelSender sender,
    IOptions<CourierOptions> options,
    TimeProvider time,
    ILogger<CourierService> logger) : BackgroundService
{
    private readonly CourierOptions _options = options.Value;
    private readonly Channel<string> _work = System.Threading.Channels.Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();
    /// <summary>Ids waiting on the work queue, so an event and a sweep do not queue one id twice.</summary>
    private readonly ConcurrentDictionary<string, byte> _queued = new();
    /// <summary>Ids this channel has nothing more to do for, remembered so sweeps do not claim them again and again.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _settled = new();
    private readonly SemaphoreSlim _sweepNow = new(0, 1);

    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = sender.Channel;
        var db = mux.Database();
        // Keyspace events are node-local: heard from every primary. A renewed subscription asks for a sweep:
        // events of the gap are lost.
        await using var events = await KeyEventSubscription.StartAsync(mux, db, [KeyNotificationType.Expired, KeyNotificationType.Del],
            OnDeliveryEvent, SweepSoon, logger);
        mux.ConnectionRestored += OnRestored;
        if (_options.WarmUp)
        {
            await WarmUpAsync(stoppingToken);
        }
        logger.LogInformation("Courier {Channel} {Owner} listening on database {Database}", channel, Owner, db);
        try
        {
            var workers = Enumerable.Range(0, _options.MaxConcurrentMessages).Select(_ => WorkAsync(stoppingToken));
            await Task.WhenAll([HeartbeatAsync(stoppingToken), TouchDueAsync(stoppingToken), SweepAsync(stoppingToken), .. workers]);
        }
        finally
        {
            mux.ConnectionRestored -= OnRestored;
            // The heartbeat is left to age out (CourierRegistry.AliveWithin) rather than removed: a courier that
            // restarts (a deploy) keeps its channel expected, so the API does not refuse messages meanwhile.
        }
    }

    private Task OnDeliveryEvent(ChannelMessage message)
    {
        if (Keys.IdOfDeliveryKey(message.Message.ToString()) is { } id)
        {
            Enqueue(id);
        }
        return Task.CompletedTask;
    }

    private void Enqueue(string id)
    {
        // A schedule's tick shares the due index and the delivery keys (touched above like any order), but the
        // API's schedulers fire it, not couriers.
        if (ScheduleIds.Is(id))
        {
            return;
        }
        if (!_inFlight.ContainsKey(id) && !_settled.ContainsKey(id) && _queued.TryAdd(id, 0) && !_work.Writer.TryWrite(id))
        {
            // The queue is full: the sweep offers this id again later.
            _queued.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// The first message after an idle start was 250–335 ms late (docs/architecture.md, "Lag"): the claim and report
    /// scripts went to Redis as NOSCRIPT then EVAL, their C# paths and the provider client ran through the JIT for the first
    /// time, and the provider's connection was opened by the first send. Done once here instead: both scripts run for an
    /// id that does not exist (answers "missing", writes nothing), and the sender warms its provider client.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        try
        {
            var id = MessageIds.New("warm-up", time);
            await store.ClaimAsync(id, sender.Channel, Owner, TimeSpan.FromSeconds(1), time.GetUtcNow());
            await store.ReportAsync(id, sender.Channel, Owner, [], final: false, time.GetUtcNow());
            // The scripts above answered "missing", so the history and receipt JSON were never read or written:
            // System.Text.Json builds its (reflection) metadata for a type on first use, which with the JIT was most
            // of the first message's remaining lag (docs/architecture.md, "Lag"). Round-trip one of each.
            var history = new HistoryDocument(id, "warm-up", "api", "warm-up", new Addressees(["u"], [], []), 1,
                AdaJson.Timestamp(time.GetUtcNow()), null, AdaJson.Timestamp(time.GetUtcNow()), 0, false, null,
                MessageStates.Delivering, [sender.Channel],
                new Dictionary<string, ChannelSection> { [sender.Channel] = ChannelSection.New() });
            AdaJson.Deserialize<HistoryDocument>(AdaJson.Serialize(history));
            // The metrics (their static constructor builds them all) a send updates.
            _ = AdaMetrics.MessagesSending.WithLabels(sender.Channel);
            AdaJson.Deserialize<Receipt>(AdaJson.Serialize(new Receipt("u", sender.Channel, ReceiptStatus.Sent, Attempts: 1)));
            // Scripts the first send runs that the two above do not (the pacing bucket, renewals…): loaded now, not
            // found missing (NOSCRIPT) and sent whole in the middle of the first message.
            await store.LoadScriptsAsync();
            // Bounded: a provider that hangs at start must not keep the courier from its heartbeat and its sweeps.
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            await sender.WarmUpAsync(bounded.Token);
            logger.LogInformation("Courier {Channel} warmed up in {Milliseconds} ms", sender.Channel,
                (long)time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (TransientRedis.Is(e) || e is HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning(e, "Warming up {Channel} failed; the first message pays for it", sender.Channel);
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        logger.LogInformation("Redis connection {Type} restored; sweeping the due index", e.ConnectionType);
        SweepSoon();
    }

    private void SweepSoon()
    {
        if (_sweepNow.CurrentCount == 0)
        {
            try
            {
                _sweepNow.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in _work.Reader.ReadAllAsync(stoppingToken))
        {
            _queued.TryRemove(id, out _);
            if (_settled.ContainsKey(id) || !_inFlight.TryAdd(id, 0))
            {
                continue;
            }
            try
            {
                await DeliverAsync(id, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The claim lapses and a sweep takes the message again; nothing is lost.
                logger.LogError(e, "Sending {MessageId} via {Channel} failed; it will be retried", id, sender.Channel);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
            finally
            {
                _inFlight.TryRemove(id, out _);
            }
        }
    }

    private async Task DeliverAsync(string id, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var (status, history) = await store.ClaimAsync(id, sender.Channel, Owner, TimeSpan.FromSeconds(_options.LeaseSeconds), now);
        switch (status)
        {
            case ClaimStatus.Ok:
                var section = history!.Channels[sender.Channel];
                var firstStart = section.StartedAt == AdaJson.Timestamp(now);
                await runner.RunAsync(history, Owner, firstStart, stoppingToken);
                break;
            case ClaimStatus.Missing:
                // The history and the due entry are written together; a due entry without a history
                // (the history was deleted by hand, or expired) can never be delivered: drop it.
                await mux.GetDatabase().SortedSetRemoveAsync(Keys.DueFor(id), id);
                _settled[id] = now.AddMinutes(10);
                break;
            case ClaimStatus.Done or ClaimStatus.Cancelled or ClaimStatus.NotExpected:
                _settled[id] = now.AddMinutes(10);
                break;
            default:
                break;
        }
    }

    private async Task HeartbeatAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The channel's limits ride on the beat: a changed setting or a flushed Redis is corrected within a beat.
                await registry.BeatAsync(sender.Channel, Owner, sender.Limits);
                var now = time.GetUtcNow();
                foreach (var (id, until) in _settled)
                {
                    if (until < now)
                    {
                        _settled.TryRemove(id, out _);
                    }
                }
            }
            catch (Exception e) when (TransientRedis.Is(e))
            {
                logger.LogWarning(e, "Heartbeat of {Channel} failed", sender.Channel);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(_options.HeartbeatSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads each delivery key as its time comes, so Redis expires it (and announces it) at once.</summary>
    private async Task TouchDueAsync(CancellationToken stoppingToken)
    {
        var since = time.GetUtcNow().ToUnixTimeMilliseconds() - 1000;
        // Redis expires a key only once its time is strictly past, so an order read in the very millisecond it
        // falls due is still there, and no event fires. Such orders are read again on the next ticks.
        var notYet = new Dictionary<RedisValue, int>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.DueTickMilliseconds), time);
        while (await NextTickAsync(timer, stoppingToken))
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                var db = mux.GetDatabase();
                var batch = db.CreateBatch();
                var ranges = Enumerable.Range(0, Keys.DueShards)
                    .Select(s => batch.SortedSetRangeByScoreAsync(Keys.Due(s), since, now, Exclude.Start, take: 1000))
                    .ToList();
                batch.Execute();
                var retried = new Dictionary<RedisValue, int>(notYet);
                notYet.Clear();
                var due = (await Task.WhenAll(ranges)).SelectMany(r => r).Concat(retried.Keys).Distinct().ToList();
                if (due.Count > 0)
                {
                    var touch = db.CreateBatch();
                    var reads = due.Select(id => touch.KeyExistsAsync(Keys.Delivery(id.ToString()))).ToList();
                    touch.Execute();
                    var exists = await Task.WhenAll(reads);
                    // A few ticks at most: a delivery key that outlives its due time longer was rescheduled, and
                    // anything else left is the sweep's.
                    for (var i = 0; i < due.Count; i++)
                    {
                        var tries = retried.GetValueOrDefault(due[i]);
                        if (exists[i] && tries < 5)
                        {
                            notYet[due[i]] = tries + 1;
                        }
                    }
                }
                since = now;
            }
            catch (Exception e) when (TransientRedis.Is(e))
            {
                logger.LogWarning(e, "Touching due orders failed; the sweep covers them");
            }
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync();
            }
            catch (Exception e) when (TransientRedis.Is(e))
            {
                logger.LogWarning(e, "Sweeping the due index failed; trying again");
            }
            try
            {
                await _sweepNow.WaitAsync(TimeSpan.FromSeconds(_options.SweepSeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SweepOnceAsync()
    {
        await foreach (var id in DueIndex.DueAsync(mux.GetDatabase(), time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            Enqueue(id);
        }
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _sweepNow.Dispose();
        base.Dispose();
    }
}
