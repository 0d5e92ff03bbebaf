namespace Ada.Testing;

/// <summary>Where a test's Ada runs: a fresh database of one redis-server, or a freshly flushed cluster.</summary>
public interface IRedisEndpoint
{
    Task<RedisTarget> NewTargetAsync();
}
