using Ada.Core;
using StackExchange.Redis;

namespace Ada.Api.Sessions;

/// <summary>
/// Counts attempts of one kind (<c>scope</c>) by one party (<c>key</c>: a login, an address) in a fixed
/// window shared by every API instance (<c>attempts:&lt;scope&gt;:&lt;key&gt;</c>, INCR + EXPIRE).
/// </summary>
public sealed class AttemptLimiter(IConnectionMultiplexer mux)
{
    /// <summary>Counts one attempt; returns null when it fits, else how long until the window ends.</summary>
    public async Task<TimeSpan?> TryTakeAsync(string scope, string key, int limit, TimeSpan window)
    {
        var db = mux.GetDatabase();
        var redisKey = Keys.Attempts(scope, key);
        var count = await db.StringIncrementAsync(redisKey);
        // On every call, not only the first: a counter left without a TTL (a crash between the two) heals.
        await db.KeyExpireAsync(redisKey, window, ExpireWhen.HasNoExpiry);
        if (count <= limit)
        {
            return null;
        }
        var ttl = await db.KeyTimeToLiveAsync(redisKey);
        return ttl is { } left && left > TimeSpan.Zero ? left : window;
    }
}
