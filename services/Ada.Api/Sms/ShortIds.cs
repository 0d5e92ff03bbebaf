using System.Security.Cryptography;
using Ada.Core;
using Ada.Core.Messages;
using StackExchange.Redis;

namespace Ada.Api.Sms;

/// <summary>
/// Short codes a teacher can type back (<c>STATUS A7K2P</c>): five characters from an alphabet without the
/// ones phones and people confuse (0/O, 1/I/L), kept per sender at <c>shortid:{sender}:CODE</c> → message id
/// for <see cref="Lifetime"/>. Per sender, so a code never reaches another sender's message.
/// </summary>
public sealed class ShortIds(IConnectionMultiplexer mux)
{
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    public const int Length = 5;
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    /// <summary>A new code of <paramref name="senderId"/> for <paramref name="messageId"/> (31⁵ ≈ 28 million codes per sender).</summary>
    public async Task<string> ReserveAsync(string senderId, string messageId)
    {
        var db = mux.GetDatabase();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var code = RandomNumberGenerator.GetString(Alphabet, Length);
            if (await db.StringSetAsync(Keys.ShortId(senderId, code), messageId, Lifetime, When.NotExists))
            {
                return code;
            }
        }
        throw new InvalidOperationException($"No free short id for sender {senderId} after 10 draws.");
    }

    public async Task ReleaseAsync(string senderId, string code) =>
        await mux.GetDatabase().KeyDeleteAsync(Keys.ShortId(senderId, code));

    /// <summary>
    /// The message a typed code names for this sender; a full message id (<c>sender:nanos</c>) is taken as it is.
    /// Null when the code is malformed, unknown or expired.
    /// </summary>
    public async Task<string?> ResolveAsync(string senderId, string typed)
    {
        if (MessageIds.TryParse(typed, out _))
        {
            return typed;
        }
        if (Normalize(typed) is not { } code)
        {
            return null;
        }
        var id = await mux.GetDatabase().StringGetAsync(Keys.ShortId(senderId, code));
        return id.IsNull ? null : id.ToString();
    }

    /// <summary>Upper case, Cyrillic look-alikes folded (a code typed on a Russian keyboard); null when not a code.</summary>
    public static string? Normalize(string typed)
    {
        var code = Lookalikes.Key(typed);
        return code.Length == Length && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? code : null;
    }
}
