using Ada.Core.Messages;
using StackExchange.Redis;

namespace Ada.Core.Couriers;

/// <summary>One registered channel as the registry sees it: live instances (a beat within <see cref="CourierRegistry.AliveWithin"/>),
/// the last beat of any instance, and what its couriers accept.</summary>
public sealed record ChannelStatus(string Name, string RegisteredAt, int Instances, string? LastSeen, ChannelLimits? Limits)
{
    public bool Live => Instances > 0;
}

/// <summary>What <see cref="CourierRegistry.ExpectedAsync"/> decided for a message: the channels it expects, those of
/// them that have no live courier now (the message waits for them), and every registered channel.</summary>
public sealed record ExpectedChannels(IReadOnlyList<string> Channels, IReadOnlyList<string> Waiting, IReadOnlyList<string> Registered);

public enum RetireOutcome { Retired, NotRegistered, Live }

/// <summary>
/// The channel registry. A channel is registered (<c>channels</c>, a hash: name → first registration, ms) by the first
/// heartbeat of one of its couriers, and stays registered — expected by every message — until an admin retires it,
/// whether or not a courier of it is running: a deploy, a crash loop or a night's outage must not drop a channel from
/// the messages queued meanwhile (they wait for the courier instead). Heartbeats: each instance writes its beat into
/// <c>couriers:&lt;channel&gt;</c> (a sorted set, instance id → unix ms) together with the channel's limits.
/// </summary>
public sealed class CourierRegistry(IConnectionMultiplexer mux, TimeProvider time)
{
    public static readonly TimeSpan AliveWithin = TimeSpan.FromSeconds(30);

    /// <summary>The API asks on every queue request; heartbeats come every few seconds, so a second-old answer is as good.</summary>
    public static readonly TimeSpan AliveCacheFor = TimeSpan.FromSeconds(1);

    private volatile Snapshot? _snapshot;

    /// <summary>Counts this instance's own writes, so a read that began before one never caches what it read.</summary>
    private long _writes;

    /// <summary>One round trip: the beat, the registration (kept if there), the limits when given, and the trim.</summary>
    public async Task BeatAsync(string channel, string instance, ChannelLimits? limits = null)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = mux.GetDatabase().CreateBatch();
        var beat = batch.SortedSetAddAsync(Keys.Couriers(channel), instance, now);
        var register = batch.HashSetAsync(Keys.ChannelRegistry, channel, now, When.NotExists);
        // Forget instances silent for a day so the set does not grow with every restart.
        var trim = batch.SortedSetRemoveRangeByScoreAsync(Keys.Couriers(channel), double.NegativeInfinity, now - 86_400_000);
        var publish = limits is null ? Task.CompletedTask : batch.StringSetAsync(Keys.ChannelLimits(channel), AdaJson.Serialize(limits));
        batch.Execute();
        await Task.WhenAll(beat, register, trim, publish);
        Forget();
    }

    public Task LeaveAsync(string channel, string instance) =>
        mux.GetDatabase().SortedSetRemoveAsync(Keys.Couriers(channel), instance);

    public async Task PublishLimitsAsync(string channel, ChannelLimits limits)
    {
        await mux.GetDatabase().StringSetAsync(Keys.ChannelLimits(channel), AdaJson.Serialize(limits));
        Forget();
    }

    /// <summary>What a channel's couriers accept; read on every queue request, so kept for <see cref="AliveCacheFor"/>.</summary>
    public async Task<ChannelLimits?> GetLimitsAsync(string channel) =>
        (await ChannelsAsync()).FirstOrDefault(c => c.Name == channel)?.Limits;

    /// <summary>Registered channels with a live courier now.</summary>
    public async Task<IReadOnlyList<string>> AliveChannelsAsync() =>
        [.. (await ChannelsAsync()).Where(c => c.Live).Select(c => c.Name)];

    /// <summary>
    /// The channels a message expects: every registered channel, or those of <paramref name="requested"/> that are
    /// registered. Expected channels without a live courier are listed in <see cref="ExpectedChannels.Waiting"/>.
    /// </summary>
    public async Task<ExpectedChannels> ExpectedAsync(IReadOnlyList<string>? requested)
    {
        var all = await ChannelsAsync();
        var expected = all.Where(c => requested is null || requested.Contains(c.Name)).ToList();
        return new ExpectedChannels([.. expected.Select(c => c.Name)], [.. expected.Where(c => !c.Live).Select(c => c.Name)],
            [.. all.Select(c => c.Name)]);
    }

    /// <summary>Every registered channel with its couriers' state, in the order of <see cref="Messages.Channels.All"/>, then by name.</summary>
    public async Task<IReadOnlyList<ChannelStatus>> ChannelsAsync(bool fresh = false)
    {
        var now = time.GetUtcNow();
        if (!fresh && _snapshot is { } cached && now - cached.At < AliveCacheFor && cached.Channels.Count > 0)
        {
            return cached.Channels;
        }
        var writes = Interlocked.Read(ref _writes);
        var db = mux.GetDatabase();
        var registered = await db.HashGetAllAsync(Keys.ChannelRegistry);
        var names = registered.Select(e => e.Name.ToString())
            .OrderBy(n => Messages.Channels.All.Contains(n) ? Messages.Channels.All.ToList().IndexOf(n) : int.MaxValue)
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
        var since = (now - AliveWithin).ToUnixTimeMilliseconds();
        var batch = db.CreateBatch();
        var live = names.Select(n => batch.SortedSetLengthAsync(Keys.Couriers(n), since)).ToList();
        var last = names.Select(n => batch.SortedSetRangeByRankWithScoresAsync(Keys.Couriers(n), -1, -1)).ToList();
        var limits = names.Select(n => batch.StringGetAsync(Keys.ChannelLimits(n))).ToList();
        batch.Execute();
        var channels = new List<ChannelStatus>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var at = registered.First(e => e.Name == names[i]).Value;
            var beat = await last[i];
            var json = await limits[i];
            channels.Add(new ChannelStatus(
                names[i],
                AdaJson.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds((long)at)),
                (int)await live[i],
                beat.Length == 0 ? null : AdaJson.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds((long)beat[0].Score)),
                json.IsNullOrEmpty ? null : AdaJson.Deserialize<ChannelLimits>(json.ToString())));
        }
        // A slower read that began earlier (the channel watch's, say) never replaces a newer one.
        if (Interlocked.Read(ref _writes) == writes && (_snapshot is not { } current || current.At <= now))
        {
            _snapshot = new Snapshot(now, channels);
        }
        return channels;
    }

    /// <summary>
    /// An admin retires a channel: messages queued from now on no longer expect it (messages already queued keep
    /// their sections). Refused while a courier of it is alive: its next heartbeat would register it again.
    /// </summary>
    public async Task<(RetireOutcome Outcome, int Instances)> RetireAsync(string channel)
    {
        var status = (await ChannelsAsync(fresh: true)).FirstOrDefault(c => c.Name == channel);
        if (status is null)
        {
            return (RetireOutcome.NotRegistered, 0);
        }
        if (status.Live)
        {
            return (RetireOutcome.Live, status.Instances);
        }
        var db = mux.GetDatabase();
        await db.HashDeleteAsync(Keys.ChannelRegistry, channel);
        await db.KeyDeleteAsync([Keys.Couriers(channel), Keys.ChannelLimits(channel)]);
        Forget();
        return (RetireOutcome.Retired, 0);
    }

    private void Forget()
    {
        Interlocked.Increment(ref _writes);
        _snapshot = null;
    }

    private sealed record Snapshot(DateTimeOffset At, IReadOnlyList<ChannelStatus> Channels);
}
