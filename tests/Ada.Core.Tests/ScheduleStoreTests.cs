namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class ScheduleStoreTests(RedisServer redis)
{
    private static ScheduleDefinition Definition(string id) => new(
        id, "t1", "Пара перенесена", new Addressees([], ["g1"], []), "0 8 * * *", "Europe/Moscow", null, null, false, null,
        AdaJson.Timestamp(DateTimeOffset.UtcNow));

    private static async Task<(ScheduleStore Store, string Id, DateTimeOffset First)> CreateAsync(TestDatabase database)
    {
        var store = new ScheduleStore(database.Mux, TestDatabase.Scripts);
        var id = ScheduleIds.New("t1", TimeProvider.System);
        var first = DateTimeOffset.UtcNow.AddHours(1);
        Assert.True(await store.CreateAsync(Definition(id), first, DateTimeOffset.UtcNow));
        return (store, id, first);
    }

    [Fact]
    public async Task Create_PutsTheTickInTheDueIndexAndAsADeliveryKey_LikeAMessage()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var (store, id, first) = await CreateAsync(database);

        Assert.Equal([Keys.DueShardOf(id)], await database.DueShardsHoldingAsync(id));
        Assert.Equal(first.ToUnixTimeMilliseconds(), (long)(await database.Db.SortedSetScoreAsync(Keys.DueFor(id), id))!);
        var ttl = await database.Db.KeyTimeToLiveAsync(Keys.Delivery(id));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.False(await store.CreateAsync(Definition(id), first, DateTimeOffset.UtcNow));
        Assert.Equal([id], await store.ListIdsAsync("t1"));
        Assert.Empty(await store.ListIdsAsync("t2"));
        var schedule = (await store.GetAsync(id))!;
        Assert.Equal(ScheduleStates.Active, schedule.State);
        Assert.Equal(first.ToUnixTimeMilliseconds(), schedule.NextMs);
    }

    [Fact]
    public async Task Advance_RecordsOnce_ASecondAdvanceOfTheSameTickIsStale()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var (store, id, first) = await CreateAsync(database);
        var tick = first.ToUnixTimeMilliseconds();
        Assert.True(await store.TryClaimAsync(id, "a", TimeSpan.FromSeconds(10)));
        Assert.False(await store.TryClaimAsync(id, "b", TimeSpan.FromSeconds(10)));
        var occurrence = new Occurrence(AdaJson.Timestamp(first), OccurrenceStatus.Queued, MessageId: "t1:1");

        Assert.True(await store.AdvanceAsync(id, tick, "a", first.AddDays(1), [occurrence]));
        Assert.False(await store.AdvanceAsync(id, tick, "b", first.AddDays(2), [occurrence]));

        Assert.Equal([occurrence], (await store.GetWithOccurrencesAsync(id)).Occurrences);
        Assert.Equal(first.AddDays(1).ToUnixTimeMilliseconds(), (await store.GetAsync(id))!.NextMs);
        Assert.Equal(first.AddDays(1).ToUnixTimeMilliseconds(), (long)(await database.Db.SortedSetScoreAsync(Keys.DueFor(id), id))!);
        Assert.False(await database.Db.KeyExistsAsync(Keys.ScheduleClaim(id)));
    }

    [Fact]
    public async Task Advance_WithoutNext_EndsTheScheduleAndClearsTheTick()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var (store, id, first) = await CreateAsync(database);

        Assert.True(await store.AdvanceAsync(id, first.ToUnixTimeMilliseconds(), "a", null, []));

        Assert.Equal(ScheduleStates.Ended, (await store.GetAsync(id))!.State);
        Assert.Empty(await database.DueShardsHoldingAsync(id));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(id)));
        Assert.Equal((ScheduleChange.Ended, ScheduleStates.Ended), await store.ResumeAsync(id, first.AddDays(1)));
    }

    [Fact]
    public async Task PauseResume_RemoveAndSetTheTick_AndAreIdempotent()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var (store, id, first) = await CreateAsync(database);

        Assert.Equal((ScheduleChange.Changed, ScheduleStates.Paused), await store.PauseAsync(id));
        Assert.Equal((ScheduleChange.Unchanged, ScheduleStates.Paused), await store.PauseAsync(id));
        Assert.Empty(await database.DueShardsHoldingAsync(id));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(id)));
        Assert.False(await store.AdvanceAsync(id, first.ToUnixTimeMilliseconds(), "a", first.AddDays(1), []));

        var next = first.AddDays(1);
        Assert.Equal((ScheduleChange.Changed, ScheduleStates.Active), await store.ResumeAsync(id, next));
        Assert.Equal((ScheduleChange.Unchanged, ScheduleStates.Active), await store.ResumeAsync(id, next.AddDays(1)));
        Assert.Equal(next.ToUnixTimeMilliseconds(), (long)(await database.Db.SortedSetScoreAsync(Keys.DueFor(id), id))!);
        Assert.True(await database.Db.KeyExistsAsync(Keys.Delivery(id)));
    }

    [Fact]
    public async Task Delete_RemovesTheScheduleItsTickAndOccurrences()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var (store, id, first) = await CreateAsync(database);
        await store.AdvanceAsync(id, first.ToUnixTimeMilliseconds(), "a", first.AddDays(1), [new Occurrence("x", OccurrenceStatus.Skipped)]);

        Assert.True(await store.DeleteAsync(id));
        Assert.False(await store.DeleteAsync(id));

        Assert.Null(await store.GetAsync(id));
        Assert.Empty((await store.GetWithOccurrencesAsync(id)).Occurrences);
        Assert.Empty(await database.DueShardsHoldingAsync(id));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(id)));
        Assert.Empty(await store.ListIdsAsync(null));
        Assert.Equal(ScheduleChange.Missing, (await store.PauseAsync(id)).Change);
    }

    [Fact]
    public async Task DueIndex_ListsADueTickBesideDueMessages()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = new ScheduleStore(database.Mux, TestDatabase.Scripts);
        var id = ScheduleIds.New("t1", TimeProvider.System);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.True(await store.CreateAsync(Definition(id), past, DateTimeOffset.UtcNow));

        var due = new List<string>();
        await foreach (var d in DueIndex.DueAsync(database.Db, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
        {
            due.Add(d);
        }

        Assert.Equal([id], due);
        // A tick already due is announced at once: set and deleted, as enqueue does with a due message.
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(id)));
    }
}
