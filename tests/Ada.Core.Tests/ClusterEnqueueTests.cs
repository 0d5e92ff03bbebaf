namespace Ada.Core.Tests;

/// <summary>
/// The scripts on a real Redis Cluster, where a script touching two slots fails with CROSSSLOT: queueing takes
/// two scripts there (the sender's quota, then the message with its due entry), and the directory is one slot.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterEnqueueTests(RedisCluster cluster)
{
    [Fact]
    public async Task Enqueue_OnACluster_WritesTheMessageAndItsDueEntry_AndKeepsTheQuota()
    {
        await using var mux = await ConnectAsync();
        var messages = new MessageStore(mux, new AdaScripts());
        Assert.True(messages.IsCluster);
        var first = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(5), 2);
        var second = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(5), 2);
        // The message's keys and its due shard share a slot; the sender's keys are elsewhere.
        Assert.Equal(RedisCluster.SlotOf(Keys.History(first.Id).ToString()), RedisCluster.SlotOf(Keys.DueFor(first.Id).ToString()));
        Assert.Equal(RedisCluster.SlotOf(Keys.History(first.Id).ToString()), RedisCluster.SlotOf(Keys.MessagesFor(first.Id).ToString()));

        var accepted = await messages.EnqueueAsync(Sample.Command(first, ["u1", "u2"], messagesPerHour: 1));
        var overQuota = await messages.EnqueueAsync(Sample.Command(second, ["u1", "u2"], messagesPerHour: 1));
        var retried = await messages.EnqueueAsync(Sample.Command(first, ["u1", "u2"], messagesPerHour: 1));
        var otherContent = await messages.EnqueueAsync(Sample.Command(first, ["u1", "u2"], fingerprint: "fp-2", messagesPerHour: 1));

        Assert.IsType<EnqueueOutcome.Accepted>(accepted);
        Assert.Equal(1, Assert.IsType<EnqueueOutcome.OverQuota>(overQuota).Limit);
        Assert.IsType<EnqueueOutcome.Duplicate>(retried);
        Assert.IsType<EnqueueOutcome.Conflict>(otherContent);
        var db = mux.GetDatabase();
        Assert.NotNull(await db.SortedSetScoreAsync(Keys.DueFor(first.Id), first.Id));
        Assert.Equal(["u1", "u2"], (await db.ListRangeAsync(Keys.Recipients(first.Id))).Select(v => v.ToString()));
        Assert.Equal([first.Id], (await db.SortedSetRangeByRankAsync(Keys.SenderHistory("t1"))).Select(v => v.ToString()));
        Assert.Equal(1, await db.SortedSetLengthAsync(Keys.Quota("t1")));
        Assert.False(await db.KeyExistsAsync(Keys.History(second.Id)));
        // Everyone's messages: the index shards are read across the nodes and merged.
        Assert.Equal([first.Id], (await messages.ListAllIdsPageAsync(0, long.MaxValue, long.MaxValue, 0, 10)).Select(e => e.Id));
    }

    [Fact]
    public async Task ChangesAndDirectory_OnACluster_TouchOneSlotEach()
    {
        await using var mux = await ConnectAsync();
        var scripts = new AdaScripts();
        var messages = new MessageStore(mux, scripts);
        var directory = new DirectoryStore(mux, scripts);
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(5), 1);
        Assert.IsType<EnqueueOutcome.Accepted>(await messages.EnqueueAsync(Sample.Command(history, ["u1"])));

        Assert.True((await messages.RescheduleAsync(history.Id, DateTimeOffset.UtcNow.AddMinutes(10), null)).Changed);
        Assert.True((await messages.CancelAsync(history.Id, DateTimeOffset.UtcNow)).Changed);
        Assert.Null(await mux.GetDatabase().SortedSetScoreAsync(Keys.DueFor(history.Id), history.Id));

        // An import of many people, groups and contacts is one MULTI/EXEC: the directory shares one slot.
        var users = Enumerable.Range(1, 50).Select(i => new User($"s{i}", $"Student {i}", "student",
            new Dictionary<string, string> { ["telegram"] = $"{1000 + i}", ["vk"] = $"{5000 + i}" }, [])).ToList();
        var result = await directory.ImportAsync(users, [new Group("g1", "Group 1", [.. users.Select(u => u.Id)], [])], []);
        Assert.Equal(50, result.Users.Created);
        Assert.Equal("1007", (await mux.GetDatabase().HashGetAsync(Keys.Contacts("telegram"), "s7")).ToString());
        Assert.True(await directory.DeactivateContactAsync("vk", "s7", "5007"));
        Assert.False(await mux.GetDatabase().HashExistsAsync(Keys.Contacts("vk"), "s7"));
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var target = await cluster.NewTargetAsync();
        return await ConnectionMultiplexer.ConnectAsync(target.ConnectionString);
    }
}
