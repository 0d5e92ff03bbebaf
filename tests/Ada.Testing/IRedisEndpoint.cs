namespace Ada.Testing;

/// <summary>Where a test's Ada runs: a fresh database of one redis-server, or a freshly flushed cluster.</summary>
public interface IRedisEndpoint
{
    Task<RedisTarget> NewTargetAsync();
}

/// <summary>A connection string for Ada and the database number in it (always 0 on a cluster).</summary>
public sealed record RedisTarget(string ConnectionString, int Database);
