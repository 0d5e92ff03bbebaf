using Ada.Api.Sessions;
using Ada.Core.Directory;
using Microsoft.Extensions.Caching.Memory;

namespace Ada.Api.Auth;

/// <summary>
/// Revoking what lets a person in. <see cref="RevokeAllAsync"/> is the one place that knows every kind of
/// credential a user can hold (bearer tokens and web sessions); demoting a user calls it. Resolved tokens are cached
/// for <see cref="BearerAuthenticationHandler.CacheFor"/>: this instance forgets them at once, other API
/// instances within that time.
/// </summary>
public sealed class Credentials(TokenStore tokens, SessionStore sessions, IMemoryCache cache, ILogger<Credentials> logger)
{
    /// <summary>Revokes every credential of <paramref name="userId"/>; returns how many there were.</summary>
    public async Task<int> RevokeAllAsync(string userId)
    {
        var hashes = await tokens.RevokeUserAsync(userId);
        foreach (var hash in hashes)
        {
            cache.Remove(BearerAuthenticationHandler.CacheKey(hash));
        }
        // Sessions are read from Redis on every request: closing them takes effect at once everywhere.
        var closed = await sessions.CloseAllAsync(userId);
        logger.LogInformation("Revoked every credential of {UserId}: {Tokens} tokens, {Sessions} web sessions", userId, hashes.Count, closed);
        return hashes.Count + closed;
    }

    /// <summary>Revokes one token by id; false when there is no such token.</summary>
    public async Task<bool> RevokeTokenAsync(string id)
    {
        if (await tokens.RevokeAsync(id) is not { } hash)
        {
            return false;
        }
        cache.Remove(BearerAuthenticationHandler.CacheKey(hash));
        return true;
    }
}
