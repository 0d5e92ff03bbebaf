using System.Diagnostics;
using System.Globalization;

namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class RateLimiterTests(RedisServer redis)
{
    // Lower bounds only: an upper bound would depend on the machine's load.
    private static readonly TimeSpan AtLeast = TimeSpan.FromSeconds(1.2);

    [Fact]
    public async Task WaitAsync_HundredTakesAtFiftyPerSecond_TakeAboutTwoSeconds()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        using var limiter = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "telegram", 50);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < 100; i++)
        {
            await limiter.WaitAsync(CancellationToken.None);
        }

        Assert.True(clock.Elapsed >= AtLeast, $"100 takes at 50/s took only {clock.Elapsed}");
    }

    [Fact]
    public async Task WaitAsync_TwoLimitersOfOneChannel_ShareTheBudget()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        await using var other = await database.ConnectAgainAsync();
        using var first = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "telegram", 50);
        using var second = new RedisRateLimiter(other, TestDatabase.Scripts, "telegram", 50);
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(TakeAsync(first, 50), TakeAsync(second, 50));

        Assert.True(clock.Elapsed >= AtLeast, $"2 × 50 takes at a shared 50/s took only {clock.Elapsed}");
    }

    [Fact]
    public async Task WaitAsync_Unlimited_NeverWaitsNorTouchesRedis()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        using var limiter = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "telegram", 0);

        await TakeAsync(limiter, 10_000);

        Assert.False(await database.Db.KeyExistsAsync(Keys.Rate("telegram")));
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        using var limiter = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "telegram", 1);
        await limiter.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limiter.WaitAsync(cancel.Token));
    }

    // The pause VK's error 6 puts on the shared bucket (lua/rate_take.lua with a pause).
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

        var tokens = double.Parse((await database.Db.HashGetAsync(Keys.Rate("vk"), "tokens")).ToString(), CultureInfo.InvariantCulture);
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

    private static async Task TakeAsync(RedisRateLimiter limiter, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await limiter.WaitAsync(CancellationToken.None);
        }
    }
}
