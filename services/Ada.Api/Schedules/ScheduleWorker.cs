using System.Collections.Concurrent;
using System.Threading.Channels;
using Ada.Core;
using Ada.Core.Couriers;
using Ada.Core.Redis;
using Ada.Core.Schedules;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Schedules;

/// <summary>
/// Fires schedules in every API instance, on the couriers' clock: a schedule's next occurrence is a tick in the due
/// index with a delivery key under the schedule id, so the couriers' due clock touches it as it falls due and its
/// <c>expired</c> event arrives here (<see cref="KeyEventSubscription"/>, as in the courier runtime); a sweep of the
/// due index (<see cref="DueIndex"/>) at start, after a reconnect and every few seconds catches what events missed.
/// Every instance hears every tick; the lease and the tick's compare-and-set in <see cref="ScheduleFirer"/> let one
/// fire it.
/// </summary>
public sealed class ScheduleWorker(
    IConnectionMultiplexer mux, ScheduleFirer firer, IOptions<SchedulesOptions> options, TimeProvider time,
    ILogger<ScheduleWorker> logger) : BackgroundService
{
    private readonly Channel<string> _due = Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, byte> _queued = new();
    private readonly SemaphoreSlim _sweepNow = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var events = await KeyEventSubscription.StartAsync(mux, mux.Database(),
            [KeyNotificationType.Expired, KeyNotificationType.Del], OnEvent, SweepSoon, logger);
        mux.ConnectionRestored += OnRestored;
        try
        {
            await Task.WhenAll(SweepAsync(stoppingToken), FireAsync(stoppingToken), FireAsync(stoppingToken));
        }
        finally
        {
            mux.ConnectionRestored -= OnRestored;
        }
    }

    private Task OnEvent(ChannelMessage message)
    {
        if (Keys.IdOfDeliveryKey(message.Message.ToString()) is { } id && ScheduleIds.Is(id))
        {
            Enqueue(id);
        }
        return Task.CompletedTask;
    }

    private void Enqueue(string id)
    {
        if (_queued.TryAdd(id, 0) && !_due.Writer.TryWrite(id))
        {
            _queued.TryRemove(id, out _);
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e) => SweepSoon();

    private void SweepSoon()
    {
        try
        {
            _sweepNow.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    private async Task FireAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in _due.Reader.ReadAllAsync(stoppingToken))
        {
            _queued.TryRemove(id, out _);
            try
            {
                await firer.FireAsync(id);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The lease lapses and a sweep fires the tick again, with the same message id.
                logger.LogError(e, "Firing schedule {ScheduleId} failed; it will be retried", id);
            }
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var id in DueIndex.DueAsync(mux.GetDatabase(), time.GetUtcNow().ToUnixTimeMilliseconds()))
                {
                    if (ScheduleIds.Is(id))
                    {
                        Enqueue(id);
                    }
                }
            }
            catch (Exception e) when (TransientRedis.Is(e))
            {
                logger.LogWarning(e, "Sweeping the due index for schedules failed; trying again");
            }
            try
            {
                await _sweepNow.WaitAsync(TimeSpan.FromSeconds(options.Value.SweepSeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _sweepNow.Dispose();
        base.Dispose();
    }
}
