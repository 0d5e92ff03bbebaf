using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Core.Couriers;

/// <summary>
/// Paces one channel across all of its courier instances: a token bucket in Redis (<c>rate:&lt;channel&gt;</c>,
/// lua/rate_take.lua). Each instance takes small slices of tokens (about 50 ms worth) so Redis is asked
/// a few times per second, not once per message; the bucket holds 50 ms worth, so bursts stay small.
/// A rate of 0 or less means unlimited. When the provider still says "too many requests",
/// <see cref="SlowDownAsync"/> leaves the shared bucket owing a pause, so every instance waits.
/// </summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer mux, AdaScripts scripts, string channel, double perSecond) : IDisposable
{
    private readonly TwoLaneGate _gate = new();
    private int _local;
    private volatile bool _drain;

    public double PerSecond => perSecond;

    /// <summary>
    /// Waits for one send's turn. Waiters are served first come, first served — every message in progress on this
    /// instance has one waiter at a time, so messages share the pace in turn (a 30-person message is not stuck behind a
    /// 20,000-person one) — except that <paramref name="urgent"/> waiters go ahead of all others.
    /// </summary>
    public async Task WaitAsync(CancellationToken cancellationToken, bool urgent = false)
    {
        if (perSecond <= 0)
        {
            return;
        }
        await _gate.EnterAsync(urgent, cancellationToken);
        var held = true;
        try
        {
            while (true)
            {
                if (_drain)
                {
                    // Tokens taken before the pause are not spent after it.
                    _drain = false;
                    _local = 0;
                }
                if (!urgent && _gate.UrgentWaiting)
                {
                    // An urgent message came while this one waited for a token: it goes first (an urgent sender re-queues
                    // a moment after each of its turns, so the hand-over at Exit alone would let others alternate with it).
                    held = false;
                    await _gate.YieldAsync(cancellationToken);
                    held = true;
                    continue;
                }
                if (_local > 0)
                {
                    break;
                }
                var slice = Math.Max(1, (int)Math.Ceiling(perSecond / 20));
                RedisResult[] result;
                try
                {
                    result = (RedisResult[])(await scripts.RunAsync(mux.GetDatabase(), Script.RateTake,
                        [Keys.Rate(channel)], [perSecond, Math.Max(1, perSecond / 20), slice]))!;
                }
                catch (Exception e) when (TransientRedis.Is(e))
                {
                    // Redis is briefly away: no shared pace, so no send. Waiting (not throwing) keeps the sender's batch
                    // whole: the sends already in flight are still reported, not abandoned and later repeated.
                    await Task.Delay(200, cancellationToken);
                    continue;
                }
                _local = (int)result[0];
                if (_local == 0)
                {
                    await Task.Delay(Math.Max(1, (int)result[1]), cancellationToken);
                }
            }
            _local--;
        }
        finally
        {
            if (held)
            {
                _gate.Exit();
            }
        }
    }

    /// <summary>
    /// The provider answered "too many requests": no instance of this channel gets a token for
    /// <paramref name="pause"/> (the bucket owes that much). Pauses at the same time do not add up.
    /// </summary>
    public async Task SlowDownAsync(TimeSpan pause)
    {
        if (perSecond <= 0 || pause <= TimeSpan.Zero)
        {
            return;
        }
        _drain = true;
        await scripts.RunAsync(mux.GetDatabase(), Script.RateTake,
            [Keys.Rate(channel)], [perSecond, Math.Max(1, perSecond / 20), 0, (long)Math.Ceiling(pause.TotalMilliseconds)]);
    }

    public void Dispose()
    {
    }

    /// <summary>A mutual-exclusion gate with two FIFO lanes: the urgent lane is always served first.</summary>
    private sealed class TwoLaneGate
    {
        private readonly Lock _lock = new();
        private readonly LinkedList<TaskCompletionSource> _urgent = new();
        private readonly LinkedList<TaskCompletionSource> _normal = new();
        private bool _held;

        public bool UrgentWaiting
        {
            get
            {
                lock (_lock)
                {
                    return _urgent.Any(w => !w.Task.IsCompleted);
                }
            }
        }

        /// <summary>The holder steps aside for the urgent lane and waits first in line among the others.</summary>
        public Task YieldAsync(CancellationToken cancellationToken)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _normal.AddFirst(waiter);
                HandOver();
            }
            return WaitAsync(waiter, cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)));
        }

        public Task EnterAsync(bool urgent, CancellationToken cancellationToken)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (!_held)
                {
                    _held = true;
                    return Task.CompletedTask;
                }
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                (urgent ? _urgent : _normal).AddLast(waiter);
            }
            // A cancelled waiter stays queued; Exit skips it (it cannot be given the gate any more).
            var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
            return WaitAsync(waiter, registration);
        }

        private static async Task WaitAsync(TaskCompletionSource waiter, CancellationTokenRegistration registration)
        {
            using (registration)
            {
                await waiter.Task;
            }
        }

        public void Exit()
        {
            lock (_lock)
            {
                HandOver();
            }
        }

        /// <summary>Gives the gate to the first live waiter, urgent lane first, or frees it. Called under the lock.</summary>
        private void HandOver()
        {
            while (_urgent.Count > 0 || _normal.Count > 0)
            {
                var lane = _urgent.Count > 0 ? _urgent : _normal;
                var next = lane.First!.Value;
                lane.RemoveFirst();
                if (next.TrySetResult())
                {
                    return;
                }
            }
            _held = false;
        }
    }
}
