namespace Ada.Core.Tests;

public sealed class RetryBackoffTests
{
    private static readonly RetryBackoff Backoff = new(new CourierOptions());

    [Theory]
    [InlineData(0, 500, 1000)]
    [InlineData(2, 2000, 4000)]
    [InlineData(3, 4000, 8000)]
    [InlineData(10, 15_000, 30_000)]
    [InlineData(1000, 15_000, 30_000)]
    public void Delay_GrowsWithAttemptsUpToTheCeiling(int attempts, int lowMs, int highMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(lowMs), Backoff.Delay(attempts, jitter: 0));
        Assert.InRange(Backoff.Delay(attempts, jitter: 0.999), TimeSpan.FromMilliseconds(lowMs), TimeSpan.FromMilliseconds(highMs));
    }

    [Fact]
    public void Delay_SameAttemptsAndJitter_SameWait()
    {
        Assert.Equal(Backoff.Delay(4, 0.37), Backoff.Delay(4, 0.37));
    }

    [Fact]
    public void Delay_FollowsTheConfiguredPolicy()
    {
        var backoff = new RetryBackoff(new CourierOptions { BackoffFirstMilliseconds = 100, BackoffMaxSeconds = 1 });

        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)), (backoff.Delay(0, 0), backoff.Delay(10, 0)));
    }
}
