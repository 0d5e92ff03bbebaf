using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>
/// Ada needs keyspace notifications: <c>K</c> + <c>$</c> for the tracker (every <c>set</c> of a history
/// key) and <c>E</c> + <c>g</c> + <c>x</c> for couriers (<c>del</c> and <c>expired</c> of delivery keys).
/// </summary>
public sealed class KeyspaceEvents(IConnectionMultiplexer mux, ILogger<KeyspaceEvents> logger)
{
    public const string Required = "KEg$x";

    public static bool Satisfies(string flags)
    {
        var expanded = flags.Replace("A", "g$lshztxed", StringComparison.Ordinal);
        return Required.All(expanded.Contains);
    }

    public static string Union(string flags)
    {
        var missing = Required.Where(c => !flags.Replace("A", "g$lshztxed", StringComparison.Ordinal).Contains(c));
        return flags + string.Concat(missing);
    }

    /// <summary>Checks every primary; sets the flags where they are missing; throws when it cannot.</summary>
    public async Task EnsureAsync()
    {
        foreach (var server in mux.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var current = await ReadAsync(server);
            if (Satisfies(current))
            {
                continue;
            }
            var wanted = Union(current);
            try
            {
                await server.ConfigSetAsync("notify-keyspace-events", wanted);
            }
            catch (RedisException e)
            {
                throw new InvalidOperationException(
                    $"Redis at {server.EndPoint} has notify-keyspace-events '{current}' and refused CONFIG SET ({e.Message}). " +
                    $"Ada needs at least '{Required}': put `notify-keyspace-events {wanted}` in its redis.conf.", e);
            }
            var after = await ReadAsync(server);
            if (!Satisfies(after))
            {
                throw new InvalidOperationException(
                    $"Redis at {server.EndPoint} kept notify-keyspace-events '{after}' after CONFIG SET. " +
                    $"Ada needs at least '{Required}': put `notify-keyspace-events {wanted}` in its redis.conf.");
            }
            logger.LogInformation("Keyspace events on {Endpoint} set from {Before} to {After}", server.EndPoint, current, after);
        }
    }

    /// <summary>True when every connected primary has the flags Ada needs (the readiness check).</summary>
    public async Task<bool> AreOnAsync()
    {
        var servers = mux.GetServers().Where(s => !s.IsReplica).ToList();
        if (servers.Count == 0 || servers.Any(s => !s.IsConnected))
        {
            return false;
        }
        foreach (var server in servers)
        {
            if (!Satisfies(await ReadAsync(server)))
            {
                return false;
            }
        }
        return true;
    }

    private static async Task<string> ReadAsync(IServer server)
    {
        var pairs = await server.ConfigGetAsync("notify-keyspace-events");
        return pairs.Length == 0 ? "" : pairs[0].Value;
    }
}
