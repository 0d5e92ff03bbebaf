using System.Diagnostics;

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

    private static async Task TakeAsync(RedisRateLimiter limiter, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await limiter.WaitAsync(CancellationToken.None);
        }
    }
}
