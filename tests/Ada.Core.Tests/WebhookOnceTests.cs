namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class WebhookOnceTests(RedisServer redis)
{
    [Fact]
    public async Task RunAsync_SameDeliveryTwice_ActsOnceAndRemembersForTheWindow()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var once = new WebhookOnce(database.Mux);
        var acted = 0;

        var first = await once.RunAsync("hook:1", TimeSpan.FromMinutes(5), () => Task.FromResult(++acted));
        var again = await new WebhookOnce(await database.ConnectAgainAsync()).RunAsync("hook:1", TimeSpan.FromMinutes(5), () => Task.FromResult(++acted));

        Assert.Equal(new Once<int>(OnceTurn.Act, 1), first);
        Assert.True(again.Replayed);
        Assert.Equal(1, acted);
        Assert.InRange((await database.Db.KeyTimeToLiveAsync("hook:1"))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task RunAsync_WhenActingFails_ForgetsTheDeliverySoTheRetryActs()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var once = new WebhookOnce(database.Mux);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            once.RunAsync("hook:2", TimeSpan.FromMinutes(5), () => throw new InvalidOperationException("Redis went away")));
        Assert.False(await database.Db.KeyExistsAsync("hook:2"));

        Assert.Equal(OnceTurn.Act, await once.RunAsync("hook:2", TimeSpan.FromMinutes(5), () => Task.CompletedTask));
        Assert.Equal(OnceTurn.Done, await once.RunAsync("hook:2", TimeSpan.FromMinutes(5), () => Task.CompletedTask));
    }

    [Fact]
    public async Task RunAsync_WhileAnotherInstanceActs_IsBusyAndDoesNotAct_ThenTheClaimLapsesIfThatOneDied()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var once = new WebhookOnce(database.Mux);
        Assert.Equal(OnceTurn.Act, await once.BeginAsync("hook:3")); // another instance took it and died

        var acted = false;
        Assert.Equal(OnceTurn.Busy, await once.RunAsync("hook:3", TimeSpan.FromMinutes(5), () => Task.FromResult(acted = true)).ContinueWith(t => t.Result.Turn));
        Assert.False(acted);
        var ttl = await database.Db.KeyTimeToLiveAsync("hook:3");
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), WebhookOnce.Working);
    }
}
