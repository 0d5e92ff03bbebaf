using StackExchange.Redis;

namespace Ada.Core.Couriers;

/// <summary>
/// Redis briefly away (restart, failover, a network blip). StackExchange.Redis reports it two ways: a
/// <see cref="RedisConnectionException"/> (a <see cref="RedisException"/>) when no connection is there, and a
/// <see cref="RedisTimeoutException"/> — which is a <see cref="TimeoutException"/>, not a <see cref="RedisException"/> —
/// when a command waited in the backlog longer than the timeout for the connection to come back. A loop that
/// catches only <see cref="RedisException"/> dies on the second kind.
/// </summary>
public static class TransientRedis
{
    public static bool Is(Exception e) => e is RedisException or RedisTimeoutException;
}
