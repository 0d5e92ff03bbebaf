using Ada.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Sms;

/// <summary>
/// Every answer Ada texts back is a paid SMS, so a phone that keeps writing (a stuck auto-responder, a
/// prankster with a student's phone) gets at most <see cref="SmsOptions.RepliesPerHour"/> answers an hour.
/// Its SMS are still acted on; only the answers stop until the hour is over. The count is shared by every
/// API instance (<c>smsreplies:{userId}</c>, a one-hour window that starts with the first answer).
/// </summary>
public sealed class SmsReplyBudget(IConnectionMultiplexer mux, IOptions<SmsOptions> options, ILogger<SmsReplyBudget> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>True when one more answer to <paramref name="userId"/> fits this hour (and counts it).</summary>
    public async Task<bool> TakeAsync(string userId)
    {
        var limit = options.Value.RepliesPerHour;
        if (limit <= 0)
        {
            return true;
        }
        var db = mux.GetDatabase();
        var key = Keys.SmsReplies(userId);
        var count = await db.StringIncrementAsync(key);
        // Set on every call, not only the first: a counter left without a TTL (a crash between the two) heals.
        await db.KeyExpireAsync(key, Window, ExpireWhen.HasNoExpiry);
        if (count <= limit)
        {
            return true;
        }
        if (count == limit + 1)
        {
            logger.LogWarning("{UserId} reached {Limit} SMS answers this hour; further SMS from them are acted on but not answered until the hour is over",
                userId, limit);
        }
        return false;
    }
}
