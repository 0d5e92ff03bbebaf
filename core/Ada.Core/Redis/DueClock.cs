using Ada.Core.Couriers;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>
/// Tells its owner which ids of the due index (<see cref="DueIndex"/>) fall due, three ways:
/// <list type="bullet">
/// <item>Events: the keyevents <c>expired</c> and <c>del</c> of <c>delivery:*</c> (<see cref="KeyEventSubscription"/>).</item>
/// <item>Touch (<see cref="Settings.TouchEvery"/>): Redis announces an expired key only when it samples or reads it, so
/// the clock reads each order as it falls due and the event fires within milliseconds.</item>
/// <item>Sweep (<see cref="Settings.SweepEvery"/>): a read of the whole due index at start, after every reconnect and
/// every few seconds, for what events missed (they are fire-and-forget and lost while disconnected).</item>
/// </list>
/// The same id may be announced by all three: the owner's queue drops repeats (<see cref="WorkQueue"/>).
/// </summary>
public sealed class DueClock : IAsyncDisposable
{
    /// <param name="TouchEvery">null: this clock only listens and sweeps (the couriers touch for everyone).</param>
    public sealed record Settings(TimeSpan SweepEvery, TimeSpan? TouchEvery);

    private readonly IConnectionMultiplexer _mux;
    private readonly Settings _settings;
    private readonly Func<string, bool> _wants;
    private readonly Action<string> _due;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sweepNow = new(0, 1);
    private KeyEventSubscription? _events;

    private DueClock(IConnectionMultiplexer mux, Settings settings, Func<string, bool> wants, Action<string> due,
        TimeProvider time, ILogger logger)
    {
        _mux = mux;
        _settings = settings;
        _wants = wants;
        _due = due;
        _time = time;
        _logger = logger;
    }

    /// <summary>Subscribes to the events; <see cref="RunAsync"/> then touches and sweeps.</summary>
    /// <param name="wants">Which ids this owner acts on (couriers: orders; the API: schedule ticks).</param>
    /// <param name="due">Called with each due id it wants, possibly more than once.</param>
    public static async Task<DueClock> StartAsync(IConnectionMultiplexer mux, Settings settings, Func<string, bool> wants,
        Action<string> due, TimeProvider time, ILogger logger)
    {
        var clock = new DueClock(mux, settings, wants, due, time, logger);
        // Keyspace events are node-local: heard from every primary. A renewed subscription asks for a sweep:
        // events of the gap are lost.
        clock._events = await KeyEventSubscription.StartAsync(mux, mux.Database(),
            [KeyNotificationType.Expired, KeyNotificationType.Del], clock.OnDeliveryEvent, clock.SweepSoon, logger);
        mux.ConnectionRestored += clock.OnRestored;
        return clock;
    }

    public Task RunAsync(CancellationToken stoppingToken) => _settings.TouchEvery is { } every
        ? Task.WhenAll(TouchAsync(every, stoppingToken), SweepAsync(stoppingToken))
        : SweepAsync(stoppingToken);

    private Task OnDeliveryEvent(ChannelMessage message)
    {
        if (Keys.IdOfDeliveryKey(message.Message.ToString()) is { } id)
        {
            Offer(id);
        }
        return Task.CompletedTask;
    }

    private void Offer(string id)
    {
        if (_wants(id))
        {
            _due(id);
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _logger.LogInformation("Redis connection {Type} restored; sweeping the due index", e.ConnectionType);
        SweepSoon();
    }

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

    /// <summary>Reads each delivery key as its time comes, so Redis expires it (and announces it) at once.</summary>
    private async Task TouchAsync(TimeSpan every, CancellationToken stoppingToken)
    {
        var since = _time.GetUtcNow().ToUnixTimeMilliseconds() - 1000;
        // Redis expires a key only once its time is strictly past, so an order read in the very millisecond it
        // falls due is still there, and no event fires. Such orders are read again on the next ticks.
        var notYet = new Dictionary<RedisValue, int>();
        using var timer = new PeriodicTimer(every, _time);
        while (await NextTickAsync(timer, stoppingToken))
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                var db = _mux.GetDatabase();
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
                _logger.LogWarning(e, "Touching due orders failed; the sweep covers them");
            }
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var id in DueIndex.DueAsync(_mux.GetDatabase(), _time.GetUtcNow().ToUnixTimeMilliseconds()))
                {
                    Offer(id);
                }
            }
            catch (Exception e) when (TransientRedis.Is(e))
            {
                _logger.LogWarning(e, "Sweeping the due index failed; trying again");
            }
            try
            {
                await _sweepNow.WaitAsync(_settings.SweepEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
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

    public async ValueTask DisposeAsync()
    {
        _mux.ConnectionRestored -= OnRestored;
        if (_events is not null)
        {
            await _events.DisposeAsync();
        }
        _sweepNow.Dispose();
    }
}
