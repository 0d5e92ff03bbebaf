using System.Security.Cryptography;
using System.Text;
using Ada.Core.Messages;
using StackExchange.Redis;

namespace Ada.Core.Directory;

/// <summary>What Ada keeps of a bearer token: never the secret, only who it acts as and until when.</summary>
public sealed record TokenRecord(string Id, string UserId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Bearer tokens issued by <c>POST /v1/tokens</c>. A token is stored as its SHA-256 (<c>{tokens}:token:&lt;hash&gt;</c>,
/// a <see cref="TokenRecord"/> whose TTL is the token's lifetime), indexed by id (<c>{tokens}:ids</c>, id → hash)
/// and per user (<c>{tokens}:user:&lt;userId&gt;</c>, a set of ids). All three share the <c>{tokens}</c> hash tag,
/// so a token and its index entries are written and removed in one MULTI, also on a cluster. Index entries
/// of tokens that expired are dropped when read.
/// </summary>
public sealed class TokenStore(IConnectionMultiplexer mux, TimeProvider time)
{
    private IDatabase Db => mux.GetDatabase();

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Issues a token for <paramref name="userId"/> living <paramref name="lifetime"/>; returns the secret (shown once) and its record.</summary>
    public async Task<(string Token, TokenRecord Record)> CreateAsync(string userId, TimeSpan lifetime)
    {
        var token = "ada_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var hash = Hash(token);
        var now = time.GetUtcNow();
        var record = new TokenRecord("tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), userId,
            TruncateToMilliseconds(now), TruncateToMilliseconds(now + lifetime));
        var tx = Db.CreateTransaction();
        _ = tx.StringSetAsync(Keys.Token(hash), AdaJson.Serialize(record), lifetime);
        _ = tx.HashSetAsync(Keys.TokenIds, record.Id, hash);
        _ = tx.SetAddAsync(Keys.UserTokens(userId), record.Id);
        await tx.ExecuteAsync();
        return (token, record);
    }

    /// <summary>The record of a live token, or null (unknown, revoked, expired).</summary>
    public async Task<TokenRecord?> ResolveAsync(string token)
    {
        var value = await Db.StringGetAsync(Keys.Token(Hash(token)));
        return Parse(value) is { } record && record.ExpiresAt > time.GetUtcNow() ? record : null;
    }

    /// <summary>A user's live tokens, or everyone's when <paramref name="userId"/> is null, oldest first.</summary>
    public async Task<IReadOnlyList<TokenRecord>> ListAsync(string? userId)
    {
        var db = Db;
        List<(string Id, string Hash)> entries;
        if (userId is null)
        {
            entries = [.. (await db.HashGetAllAsync(Keys.TokenIds)).Select(e => (e.Name.ToString(), e.Value.ToString()))];
        }
        else
        {
            var ids = await db.SetMembersAsync(Keys.UserTokens(userId));
            var hashes = ids.Length == 0 ? [] : await db.HashGetAsync(Keys.TokenIds, ids);
            entries = [.. ids.Select((id, i) => (id.ToString(), hashes[i].IsNull ? "" : hashes[i].ToString()))];
        }
        var records = await ReadAsync(db, entries.Select(e => e.Hash));
        var live = new List<TokenRecord>();
        var dead = new List<(string Id, string? UserId)>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (records[i] is { } record && record.Id == entries[i].Id)
            {
                live.Add(record);
            }
            else
            {
                dead.Add((entries[i].Id, userId));
            }
        }
        if (dead.Count > 0)
        {
            var tx = db.CreateTransaction();
            foreach (var (id, owner) in dead)
            {
                // A dead id of the global listing may still sit in its user's set; that set is cleaned when listed itself.
                _ = tx.HashDeleteAsync(Keys.TokenIds, id);
                if (owner is not null)
                {
                    _ = tx.SetRemoveAsync(Keys.UserTokens(owner), id);
                }
            }
            await tx.ExecuteAsync();
        }
        return [.. live.OrderBy(r => r.CreatedAt)];
    }

    /// <summary>A live token's record by its id, or null.</summary>
    public async Task<TokenRecord?> FindAsync(string id)
    {
        var hash = await Db.HashGetAsync(Keys.TokenIds, id);
        return hash.IsNull ? null : (await ReadAsync(Db, [hash.ToString()]))[0] is { } record && record.Id == id ? record : null;
    }

    /// <summary>Revokes one token; returns the hash it had (to forget cached resolutions), or null when there was none.</summary>
    public async Task<string?> RevokeAsync(string id)
    {
        var db = Db;
        var hash = await db.HashGetAsync(Keys.TokenIds, id);
        if (hash.IsNull)
        {
            return null;
        }
        var record = Parse(await db.StringGetAsync(Keys.Token(hash.ToString())));
        var tx = db.CreateTransaction();
        _ = tx.KeyDeleteAsync(Keys.Token(hash.ToString()));
        _ = tx.HashDeleteAsync(Keys.TokenIds, id);
        if (record is not null)
        {
            _ = tx.SetRemoveAsync(Keys.UserTokens(record.UserId), id);
        }
        await tx.ExecuteAsync();
        return hash.ToString();
    }

    /// <summary>Revokes every token of a user; returns their hashes.</summary>
    public async Task<IReadOnlyList<string>> RevokeUserAsync(string userId)
    {
        var db = Db;
        var ids = await db.SetMembersAsync(Keys.UserTokens(userId));
        if (ids.Length == 0)
        {
            return [];
        }
        var hashes = await db.HashGetAsync(Keys.TokenIds, ids);
        var revoked = hashes.Where(h => !h.IsNull).Select(h => h.ToString()).ToList();
        var tx = db.CreateTransaction();
        foreach (var hash in revoked)
        {
            _ = tx.KeyDeleteAsync(Keys.Token(hash));
        }
        _ = tx.HashDeleteAsync(Keys.TokenIds, ids);
        _ = tx.KeyDeleteAsync(Keys.UserTokens(userId));
        await tx.ExecuteAsync();
        return revoked;
    }

    private static async Task<TokenRecord?[]> ReadAsync(IDatabase db, IEnumerable<string> hashes)
    {
        var batch = db.CreateBatch();
        var reads = hashes.Select(h => h.Length == 0 ? Task.FromResult(RedisValue.Null) : batch.StringGetAsync(Keys.Token(h))).ToList();
        batch.Execute();
        return [.. (await Task.WhenAll(reads)).Select(Parse)];
    }

    private static TokenRecord? Parse(RedisValue value) =>
        value.IsNullOrEmpty || !value.ToString().StartsWith('{') ? null : AdaJson.Deserialize<TokenRecord>(value.ToString());

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
