using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>
/// A job only one process may do at a time (the Telegram poller), held through a key with a TTL
/// (<c>lua/lease.lua</c>): the holder renews it well within its length; when the holder dies the key
/// lapses and another process takes it over.
/// </summary>
public sealed class RedisLease(IConnectionMultiplexer mux, AdaScripts scripts, RedisKey key, string holder)
{
    public string Holder => holder;

    /// <summary>Takes the lease when free or renews it when held; true when this holder has it now.</summary>
    public async Task<bool> HoldAsync(TimeSpan length) =>
        (int)await scripts.RunAsync(mux.GetDatabase(), Script.Lease, [key], [holder, (long)length.TotalMilliseconds]) == 1;

    /// <summary>Gives the lease back (only when this holder has it), so another process takes over at once.</summary>
    public async Task ReleaseAsync() => await scripts.RunAsync(mux.GetDatabase(), Script.Lease, [key], [holder, 0]);
}
