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
/// The courier runtime: one per courier process, whatever the channel. Its <see cref="DueClock"/> (events, touch,
/// sweep) offers due orders to a <see cref="WorkQueue"/>; a few workers claim and send them (<see cref="DeliveryRunner"/>);
/// a heartbeat says the channel is served and publishes its limits. Every path ends in the same claim script, so
/// nothing is sent twice.
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
    private readonly WorkQueue _work = new();

    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A schedule's tick shares the due index and the delivery keys (touched like any order), but the API's
        // schedulers fire it, not couriers.
        await using var clock = await DueClock.StartAsync(mux,
            new DueClock.Settings(TimeSpan.FromSeconds(_options.SweepSeconds), TimeSpan.FromMilliseconds(_options.DueTickMilliseconds)),
            id => !ScheduleIds.Is(id), _work.Offer, time, logger);
        if (_options.WarmUp)
        {
            await WarmUpAsync(stoppingToken);
        }
        logger.LogInformation("Courier {Channel} {Owner} listening on database {Database}", sender.Channel, Owner, mux.Database());
        // The heartbeat is left to age out (CourierRegistry.AliveWithin) rather than removed at the end: a courier that
        // restarts (a deploy) keeps its channel expected, so the API does not refuse messages meanwhile.
        var workers = Enumerable.Range(0, _options.MaxConcurrentMessages).Select(_ => WorkAsync(stoppingToken));
        await Task.WhenAll([HeartbeatAsync(stoppingToken), clock.RunAsync(stoppingToken), .. workers]);
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
            await store.ClaimWithFirstBatchAsync(id, sender.Channel, Owner, TimeSpan.FromSeconds(1), time.GetUtcNow(), sender.BatchSize);
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

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in _work.TakeAsync(stoppingToken))
        {
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
                _work.Done(id);
            }
        }
    }

    private async Task DeliverAsync(string id, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        // The claim brings the first batch along (its recipients and which of them have receipts): for a one-person
        // message that is two round trips fewer before the send (docs/architecture.md, "Deliver").
        var (status, history, first) = await store.ClaimWithFirstBatchAsync(id, sender.Channel, Owner,
            TimeSpan.FromSeconds(_options.LeaseSeconds), now, sender.BatchSize);
        switch (status)
        {
            case ClaimStatus.Ok:
                var section = history!.Channels[sender.Channel];
                var firstStart = section.StartedAt == AdaJson.Timestamp(now);
                await runner.RunAsync(history, Owner, firstStart, stoppingToken, first);
                break;
            case ClaimStatus.Missing:
                // The history and the due entry are written together; a due entry without a history
                // (the history was deleted by hand, or expired) can never be delivered: drop it.
                await mux.GetDatabase().SortedSetRemoveAsync(Keys.DueFor(id), id);
                _work.Settle(id, now.AddMinutes(10));
                break;
            case ClaimStatus.Done or ClaimStatus.Cancelled or ClaimStatus.NotExpected:
                _work.Settle(id, now.AddMinutes(10));
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
                _work.ForgetSettledBefore(time.GetUtcNow());
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
}
