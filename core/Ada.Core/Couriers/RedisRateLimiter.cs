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
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _local;
    private volatile bool _drain;

    public double PerSecond => perSecond;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (perSecond <= 0)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_drain)
            {
                // Tokens taken before the pause are not spent after it.
                _drain = false;
                _local = 0;
            }
            while (_local == 0)
            {
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
            _gate.Release();
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

    public void Dispose() => _gate.Dispose();
}
