using StackExchange.Redis;

namespace Ada.Core.Directory;

/// <summary>
/// Issues link codes (<see cref="LinkCodes"/>): stored as their hash, one active code per user (a new code
/// replaces the user's previous one), expiring. The code is used up by whoever links with it
/// (<c>lua/_link.lua</c>: a VK message to the community, Telegram's <c>/start &lt;code&gt;</c>).
/// </summary>
public sealed class LinkCodeStore(IConnectionMultiplexer mux)
{
    /// <summary>Draws before giving up; with 2^50 codes a second draw is already rare, and the user index rarely races.</summary>
    private const int Draws = 8;

    /// <summary>The key of a code as a person typed it (canonical form, see <see cref="LinkCodes.Normalize"/>).</summary>
    public static RedisKey KeyOf(string code) => Keys.LinkCode(LinkCodes.Hash(code));

    /// <summary>A fresh code for <paramref name="userId"/>, living <paramref name="ttl"/>; the user's previous code stops working.</summary>
    public async Task<string> IssueAsync(string userId, TimeSpan ttl)
    {
        var db = mux.GetDatabase();
        var userKey = Keys.UserLinkCode(userId);
        for (var draw = 0; draw < Draws; draw++)
        {
            var code = LinkCodes.New();
            var hash = LinkCodes.Hash(code);
            var previous = await db.StringGetAsync(userKey);
            var tx = db.CreateTransaction();
            tx.AddCondition(Condition.KeyNotExists(Keys.LinkCode(hash)));
            tx.AddCondition(previous.IsNull ? Condition.KeyNotExists(userKey) : Condition.StringEqual(userKey, previous));
            if (!previous.IsNull)
            {
                _ = tx.KeyDeleteAsync(Keys.LinkCode(previous.ToString()));
            }
            _ = tx.StringSetAsync(Keys.LinkCode(hash), userId, ttl);
            _ = tx.StringSetAsync(userKey, hash, ttl);
            if (await tx.ExecuteAsync())
            {
                return code;
            }
        }
        throw new InvalidOperationException($"{Draws} link codes in a row could not be stored for {userId}: the code was taken or the user's code kept changing.");
    }
}
