using System.Diagnostics;

namespace Ada.Couriers.Vk.Tests;

/// <summary>The pause VK's error 6 puts on the shared Redis bucket (lua/rate_take.lua with a pause).</summary>
[Collection(RedisCollection.Name)]
public sealed class SlowDownTests(RedisServer redis)
{
    [Fact]
    public async Task SlowDownAsync_OneInstance_PausesEveryOtherInstance()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        await using var other = await database.ConnectAgainAsync();
        using var throttled = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "vk", 20);
        using var bystander = new RedisRateLimiter(other, TestDatabase.Scripts, "vk", 20);
        await bystander.WaitAsync(CancellationToken.None);

        await throttled.SlowDownAsync(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        await bystander.WaitAsync(CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"the other instance waited only {clock.Elapsed}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the other instance waited {clock.Elapsed}");
    }

    [Fact]
    public async Task SlowDownAsync_ManyAtOnce_CostOnePause()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        using var limiter = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "vk", 20);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => limiter.SlowDownAsync(TimeSpan.FromSeconds(1))));

        var tokens = double.Parse((await database.Db.HashGetAsync(Keys.Rate("vk"), "tokens")).ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(tokens, -20.5, -19);
    }

    [Fact]
    public async Task SlowDownAsync_Unlimited_DoesNothing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        using var limiter = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "vk", 0);

        await limiter.SlowDownAsync(TimeSpan.FromSeconds(1));

        Assert.False(await database.Db.KeyExistsAsync(Keys.Rate("vk")));
    }
}
