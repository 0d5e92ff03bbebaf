namespace Ada.Testing;

/// <summary>
/// The tests' Redis Cluster: three primaries on free ports in a temporary directory, no AOF (deploy/Ada.Stack's
/// <see cref="LocalRedisCluster"/>), started for a test run and killed after it. A cluster has only database 0, so
/// tests that use it run one at a time (<see cref="ClusterCollection"/>) and each starts from
/// <see cref="NewTargetAsync"/>, which flushes it.
/// </summary>
public sealed class RedisCluster() : LocalRedisCluster(new LocalRedisClusterOptions { Arguments = ["--save", "", "--appendonly", "no"] }),
    IAsyncLifetime, IRedisEndpoint
{
    public Task InitializeAsync() => StartAsync();

    /// <summary>Flushes every primary; the connection string reaches the whole cluster, database 0.</summary>
    public async Task<RedisTarget> NewTargetAsync()
    {
        await FlushAsync();
        return new RedisTarget(ConnectionString, 0);
    }
}

/// <summary>
/// The name of the collection that shares one <see cref="RedisCluster"/>; its tests run one at a time. xunit wants the
/// definition in each test assembly: <c>[CollectionDefinition(ClusterCollection.Name)] class … : ICollectionFixture&lt;RedisCluster&gt;;</c>.
/// </summary>
public static class ClusterCollection
{
    public const string Name = "redis-cluster";
}
