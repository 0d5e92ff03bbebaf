using System.Collections.Concurrent;
using Ada.Core.Messages;
using StackExchange.Redis;

namespace Ada.Core.Couriers;

/// <summary>
/// Courier heartbeats: each instance writes its beat into <c>couriers:&lt;channel&gt;</c> (a sorted set,
/// instance id → unix ms). A channel is alive while one of its instances beat within <see cref="AliveWithin"/>;
/// the API expects a report from exactly the channels alive when a message is queued.
/// </summary>
public sealed class CourierRegistry(IConnectionMultiplexer mux, TimeProvider time)
{
    public static readonly TimeSpan AliveWithin = TimeSpan.FromSeconds(30);

    /// <summary>The API asks on every queue request; heartbeats come every few seconds, so a second-old answer is as good.</summary>
    public static readonly TimeSpan AliveCacheFor = TimeSpan.FromSeconds(1);

    private volatile AliveSnapshot? _alive;
    private readonly ConcurrentDictionary<string, LimitsSnapshot> _limits = new();

    public async Task BeatAsync(string channel, string instance)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var db = mux.GetDatabase();
        await db.SortedSetAddAsync(Keys.Couriers(channel), instance, now);
        // Forget instances silent for a day so the set does not grow with every restart.
        await db.SortedSetRemoveRangeByScoreAsync(Keys.Couriers(channel), double.NegativeInfinity, now - 86_400_000);
    }

    public Task LeaveAsync(string channel, string instance) =>
        mux.GetDatabase().SortedSetRemoveAsync(Keys.Couriers(channel), instance);

    public async Task PublishLimitsAsync(string channel, ChannelLimits limits)
    {
        await mux.GetDatabase().StringSetAsync(Keys.ChannelLimits(channel), AdaJson.Serialize(limits));
        _limits.TryRemove(channel, out _);
    }

    /// <summary>What a channel's couriers accept; read on every queue request, so kept for <see cref="AliveCacheFor"/>.</summary>
    public async Task<ChannelLimits?> GetLimitsAsync(string channel)
    {
        var now = time.GetUtcNow();
        if (_limits.TryGetValue(channel, out var cached) && now - cached.At < AliveCacheFor)
        {
            return cached.Limits;
        }
        var json = await mux.GetDatabase().StringGetAsync(Keys.ChannelLimits(channel));
        var limits = json.IsNullOrEmpty ? null : AdaJson.Deserialize<ChannelLimits>(json.ToString());
        _limits[channel] = new LimitsSnapshot(now, limits);
        return limits;
    }

    public async Task<IReadOnlyList<string>> AliveChannelsAsync()
    {
        var now = time.GetUtcNow();
        if (_alive is { } cached && now - cached.At < AliveCacheFor && cached.Channels.Count > 0)
        {
            return cached.Channels;
        }
        var since = (now - AliveWithin).ToUnixTimeMilliseconds();
        var db = mux.GetDatabase();
        var counts = await Task.WhenAll(Channels.All.Select(c => db.SortedSetLengthAsync(Keys.Couriers(c), since)));
        IReadOnlyList<string> alive = [.. Channels.All.Where((_, i) => counts[i] > 0)];
        _alive = new AliveSnapshot(now, alive);
        return alive;
    }

    private sealed record AliveSnapshot(DateTimeOffset At, IReadOnlyList<string> Channels);

    private sealed record LimitsSnapshot(DateTimeOffset At, ChannelLimits? Limits);
}
