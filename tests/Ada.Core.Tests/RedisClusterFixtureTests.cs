using System.Net;

namespace Ada.Core.Tests;

/// <summary>The cluster fixture itself: its shape, slot arithmetic, resharding and adding a node.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RedisClusterFixtureTests(RedisCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Start_ThreePrimariesServeEverySlot_KeysLandOnTheNodeOfTheirSlot()
    {
        output.WriteLine($"cluster started in {cluster.StartDuration.TotalSeconds:0.00} s on ports {string.Join(", ", cluster.Ports)}");
        var target = await cluster.NewTargetAsync();
        await using var admin = await ConnectAdminAsync(target);
        await using var mux = await ConnectionMultiplexer.ConnectAsync(target.ConnectionString);

        Assert.Equal(0, target.Database);
        Assert.Equal(3, cluster.Ports.Count);
        var nodes = (await admin.GetServer(cluster.Host, cluster.Ports[0]).ClusterNodesAsync())!.Nodes;
        Assert.Equal(cluster.Ports.Order(), nodes.Select(n => ((IPEndPoint)n.EndPoint!).Port).Order());
        Assert.All(nodes, n => Assert.False(n.IsReplica));
        Assert.All(nodes, n => Assert.NotEmpty(n.Slots));
        var slots = nodes.SelectMany(n => n.Slots).SelectMany(r => Enumerable.Range(r.From, r.To - r.From + 1)).Order();
        Assert.Equal(Enumerable.Range(0, RedisCluster.SlotCount), slots);

        // One key per node, written through the connection string Ada gets: each lands on its slot's node.
        var keyOf = new Dictionary<int, string>();
        for (var i = 0; keyOf.Count < cluster.Ports.Count; i++)
        {
            var key = $"spread:{i}";
            keyOf.TryAdd(await cluster.PortOfSlotAsync(RedisCluster.SlotOf(key)), key);
        }
        foreach (var (port, key) in keyOf)
        {
            await mux.GetDatabase().StringSetAsync(key, port);
        }
        foreach (var (port, key) in keyOf)
        {
            var node = admin.GetServer(cluster.Host, port);
            Assert.Equal(1, await node.DatabaseSizeAsync());
            Assert.Equal(1, (long)await node.ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", RedisCluster.SlotOf(key)));
            Assert.Equal(port, (int)await mux.GetDatabase().StringGetAsync(key));
            Assert.Equal(port, ((IPEndPoint)nodes.Single(n => n.Slots.Any(r => r.From <= RedisCluster.SlotOf(key) && RedisCluster.SlotOf(key) <= r.To)).EndPoint!).Port);
        }
    }

    [Theory]
    [InlineData("history:{42:1732365600123456789}")]
    [InlineData("due:{7}")]
    [InlineData("plain")]
    [InlineData("a{}b")]
    [InlineData("123456789")]
    [InlineData("{user1000}.following")]
    [InlineData("foo{}{bar}")]
    [InlineData("foo{{bar}}zap")]
    [InlineData("foo{bar}{zap}")]
    [InlineData("{")]
    [InlineData("}{x}")]
    [InlineData("")]
    [InlineData("{directory}:user:ключ")]
    [InlineData("группа:{ИВТ-21}")]
    public async Task SlotOf_AgreesWithClusterKeyslot(string key)
    {
        await using var admin = await ConnectAdminAsync(new RedisTarget(cluster.ConnectionString, 0));

        var slot = (int)await admin.GetServer(cluster.Host, cluster.Ports[0]).ExecuteAsync("CLUSTER", "KEYSLOT", key);

        Assert.Equal(slot, RedisCluster.SlotOf(key));
    }

    [Fact]
    public async Task MoveSlot_SlotWithKeys_KeysFollowItAndPortOfSlotNamesTheNewNode()
    {
        var target = await cluster.NewTargetAsync();
        await using var before = await ConnectionMultiplexer.ConnectAsync(target.ConnectionString);
        // 250 keys: GETKEYSINSLOT hands out 100 at a time, so the migration takes three rounds.
        var keys = Enumerable.Range(0, 250).Select(i => $"moving:{{m}}:{i}").ToArray();
        var slot = RedisCluster.SlotOf(keys[0]);
        foreach (var key in keys)
        {
            await before.GetDatabase().StringSetAsync(key, key);
        }
        await before.GetDatabase().KeyExpireAsync(keys[0], TimeSpan.FromMinutes(5));
        var from = await cluster.PortOfSlotAsync(slot);
        var to = cluster.Ports.First(p => p != from);

        await cluster.MoveSlotAsync(slot, to);

        Assert.Equal(to, await cluster.PortOfSlotAsync(slot));
        await AssertKeysAsync(target, keys, on: to, notOn: from);
        await using (var after = await ConnectionMultiplexer.ConnectAsync(target.ConnectionString))
        {
            Assert.NotNull(await after.GetDatabase().KeyTimeToLiveAsync(keys[0]));
        }
        // A connection made before the move follows MOVED to the new owner.
        Assert.Equal(keys[^1], await before.GetDatabase().StringGetAsync(keys[^1]));

        // And back, so the shared cluster is as the other tests expect it.
        await cluster.MoveSlotAsync(slot, from);

        Assert.Equal(from, await cluster.PortOfSlotAsync(slot));
        await AssertKeysAsync(target, keys, on: from, notOn: to);
    }

    [Fact]
    public async Task AddPrimary_JoinsWithoutSlots_ThenMoveSlotGivesItOne()
    {
        // A cluster of its own: the shared one keeps its three nodes.
        var own = new RedisCluster();
        try
        {
            await own.InitializeAsync();
            var target = await own.NewTargetAsync();
            var keys = Enumerable.Range(0, 20).Select(i => $"history:{{42:1732365600123456789}}:{i}").ToArray();
            await using (var mux = await ConnectionMultiplexer.ConnectAsync(target.ConnectionString))
            {
                foreach (var key in keys)
                {
                    await mux.GetDatabase().StringSetAsync(key, key);
                }
            }
            var slot = RedisCluster.SlotOf(keys[0]);
            var from = await own.PortOfSlotAsync(slot);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var added = await own.AddPrimaryAsync();

            output.WriteLine($"started in {own.StartDuration.TotalSeconds:0.00} s; added {added} to " +
                $"{string.Join(", ", own.Ports.SkipLast(1))} in {clock.Elapsed.TotalMilliseconds:0} ms");
            Assert.Equal(4, own.Ports.Count);
            Assert.Equal(added, own.Ports[^1]);
            Assert.Contains($"127.0.0.1:{added}", own.ConnectionString, StringComparison.Ordinal);
            await using (var admin = await ConnectAdminAsync(target))
            {
                var nodes = (await admin.GetServer(own.Host, own.Ports[0]).ClusterNodesAsync())!.Nodes;
                var node = nodes.Single(n => ((IPEndPoint)n.EndPoint!).Port == added);
                Assert.False(node.IsReplica);
                Assert.Empty(node.Slots);
            }

            clock.Restart();
            await own.MoveSlotAsync(slot, added);

            output.WriteLine($"moved slot {slot} ({keys.Length} keys) in {clock.Elapsed.TotalMilliseconds:0} ms");
            Assert.Equal(added, await own.PortOfSlotAsync(slot));
            await AssertKeysAsync(target, keys, on: added, notOn: from);

            // Its only slot moved away again, the node stays a primary (Redis 7 would make it a replica by default).
            await own.MoveSlotAsync(slot, from);

            await AssertKeysAsync(target, keys, on: from, notOn: added);
            await using (var admin = await ConnectAdminAsync(target))
            {
                var role = (RedisResult[])(await admin.GetServer(own.Host, added).ExecuteAsync("ROLE"))!;
                Assert.Equal("master", role[0].ToString());
            }

            // NewTargetAsync flushes the added node too.
            var fresh = await own.NewTargetAsync();
            await using var check = await ConnectAdminAsync(fresh);
            foreach (var port in own.Ports)
            {
                Assert.Equal(0, await check.GetServer(own.Host, port).DatabaseSizeAsync());
            }
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    /// <summary>Through a fresh connection every key reads back, and the slot's keys are on one node only.</summary>
    private async Task AssertKeysAsync(RedisTarget target, string[] keys, int on, int notOn)
    {
        await using var fresh = await ConnectionMultiplexer.ConnectAsync(target.ConnectionString);
        var values = await Task.WhenAll(keys.Select(k => fresh.GetDatabase().StringGetAsync(k)));
        Assert.Equal(keys, values.Select(v => v.ToString()));
        await using var admin = await ConnectAdminAsync(target);
        var slot = RedisCluster.SlotOf(keys[0]);
        Assert.Equal(keys.Length, (long)await admin.GetServer(cluster.Host, on).ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot));
        Assert.Equal(0, (long)await admin.GetServer(cluster.Host, notOn).ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot));
    }

    private static Task<ConnectionMultiplexer> ConnectAdminAsync(RedisTarget target) =>
        ConnectionMultiplexer.ConnectAsync(target.ConnectionString + ",allowAdmin=true");
}
