using System.Security.Cryptography;
using System.Text;
using Ada.Core;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Sessions;

/// <summary>A signed-in browser: whose session, whether it was opened with the admin token, and its anti-forgery token.</summary>
public sealed record WebSession(string UserId, bool AdminToken, string Antiforgery, string ExpiresAt);

/// <summary>
/// Sign-in codes and web sessions, both in Redis so every API instance sees them and signing out is
/// immediate everywhere. A session cookie carries 32 random bytes; Redis keeps only their SHA-256
/// (<c>session:&lt;hash&gt;</c>, with the session's TTL) and each user's index of them
/// (<c>sessions:{userId}</c>). A sign-in code is kept as an HMAC keyed by a secret derived from the admin
/// token, never in clear, with the number of tries it has left (<c>signin:{userId}</c>).
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer mux, IOptions<SignInOptions> options, IOptions<AdaOptions> ada, TimeProvider time)
{
    private readonly byte[] _codeKey = SHA256.HashData(Encoding.UTF8.GetBytes("ada-sign-in-codes:" + ada.Value.AdminToken));

    private IDatabase Db => mux.GetDatabase();

    public TimeSpan CodeLifetime => TimeSpan.FromMinutes(options.Value.CodeMinutes);

    public TimeSpan SessionLifetime => TimeSpan.FromHours(options.Value.Hours);

    /// <summary>A fresh six-digit code for <paramref name="userId"/>; it replaces any earlier one.</summary>
    public async Task<string> NewCodeAsync(string userId)
    {
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var key = Keys.SignInCode(userId);
        var batch = Db.CreateTransaction();
        _ = batch.KeyDeleteAsync(key);
        _ = batch.HashSetAsync(key, [new("hash", HashCode(userId, code)), new("left", options.Value.CodeAttempts)]);
        _ = batch.KeyExpireAsync(key, CodeLifetime);
        await batch.ExecuteAsync();
        return code;
    }

    /// <summary>
    /// True once for the right code: every try spends one of the code's attempts first (so parallel guesses
    /// cannot exceed them), and the code is deleted by the one try that matches.
    /// </summary>
    public async Task<bool> TryUseCodeAsync(string userId, string code)
    {
        var key = Keys.SignInCode(userId);
        if (!await Db.KeyExistsAsync(key))
        {
            return false;
        }
        var left = await Db.HashDecrementAsync(key, "left");
        if (left < 0)
        {
            await Db.KeyDeleteAsync(key);
            return false;
        }
        var stored = (byte[]?)await Db.HashGetAsync(key, "hash");
        if (stored is null || !CryptographicOperations.FixedTimeEquals(stored, HashCode(userId, code)))
        {
            if (left == 0)
            {
                await Db.KeyDeleteAsync(key);
            }
            return false;
        }
        return await Db.KeyDeleteAsync(key);
    }

    /// <summary>Opens a session; returns the cookie value (the only place it exists in clear) and the session.</summary>
    public async Task<(string Cookie, WebSession Session)> OpenAsync(string userId, bool adminToken)
    {
        var cookie = Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(cookie);
        var session = new WebSession(userId, adminToken, Base64Url(RandomNumberGenerator.GetBytes(24)),
            AdaJson.Timestamp(time.GetUtcNow() + SessionLifetime));
        await Db.StringSetAsync(Keys.Session(hash), AdaJson.Serialize(session), SessionLifetime);
        await Db.SetAddAsync(Keys.UserSessions(userId), hash);
        // The index lives as long as the newest session; older members past their TTL are harmless.
        await Db.KeyExpireAsync(Keys.UserSessions(userId), SessionLifetime);
        return (cookie, session);
    }

    public async Task<WebSession?> GetAsync(string cookie) =>
        cookie.Length is > 0 and <= 128 && await Db.StringGetAsync(Keys.Session(Hash(cookie))) is { HasValue: true } json
            ? AdaJson.Deserialize<WebSession>(json.ToString())
            : null;

    /// <summary>Ends one session (signing out).</summary>
    public async Task CloseAsync(string cookie, string userId)
    {
        var hash = Hash(cookie);
        await Db.KeyDeleteAsync(Keys.Session(hash));
        await Db.SetRemoveAsync(Keys.UserSessions(userId), hash);
    }

    /// <summary>Ends every session of <paramref name="userId"/> (demoted, removed, or signed out everywhere); returns how many.</summary>
    public async Task<int> CloseAllAsync(string userId)
    {
        var hashes = await Db.SetMembersAsync(Keys.UserSessions(userId));
        var keys = hashes.Select(h => Keys.Session(h.ToString())).Append(Keys.UserSessions(userId)).ToArray();
        // Session keys live in different cluster slots: one DEL each.
        await Task.WhenAll(keys.Select(k => Db.KeyDeleteAsync(k)));
        return hashes.Length;
    }

    private byte[] HashCode(string userId, string code) => HMACSHA256.HashData(_codeKey, Encoding.UTF8.GetBytes(userId + ":" + code));

    private static string Hash(string cookie) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cookie)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
