using Ada.Api.Http;

namespace Ada.Api.Tests;

public sealed class RedisUnavailableTests
{
    [Theory]
    [InlineData("LOADING Redis is loading the dataset in memory")]
    [InlineData("READONLY You can't write against a read only replica.")]
    [InlineData("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")]
    [InlineData("NOREPLICAS Not enough good replicas to write.")]
    [InlineData("TRYAGAIN Multiple keys request during rehashing of slot")]
    [InlineData("CLUSTERDOWN The cluster is down")]
    public void RedisBusyOrMoving_IsA503(string error) =>
        Assert.True(RedisUnavailableHandler.IsUnavailable(new RedisServerException(error)));

    [Theory]
    [InlineData("ERR wrong number of arguments")]
    [InlineData("CROSSSLOT Keys in request don't hash to the same slot")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value")]
    public void ABugStaysABug(string error) =>
        Assert.False(RedisUnavailableHandler.IsUnavailable(new RedisServerException(error)));

    [Fact]
    public void NoConnectionOrATimeout_IsA503()
    {
        Assert.True(RedisUnavailableHandler.IsUnavailable(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down")));
        Assert.True(RedisUnavailableHandler.IsUnavailable(new RedisTimeoutException("slow", CommandStatus.WaitingToBeSent)));
        Assert.False(RedisUnavailableHandler.IsUnavailable(new InvalidOperationException()));
    }
}
