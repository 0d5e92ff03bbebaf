using StackExchange.Redis;

namespace Ada.Couriers.Sms;

/// <summary>
/// The Redis keys only the SMS courier uses (the keys every service shares are in <c>Ada.Core.Keys</c>).
/// </summary>
public static class SmsKeys
{
    /// <summary>
    /// SMS.ru texts whose delivery is still open: sorted set, member <c>&lt;sentAt unix ms&gt;:&lt;sms_id&gt;</c>,
    /// score = when to look the status up next (unix ms). The member carries the send time, so the poller
    /// knows when to give up without a second key.
    /// </summary>
    public static RedisKey SmsRuPending => "smsru:pending";

    /// <summary>Texts sent to one number in the current minute (string counter with a 60 s TTL).</summary>
    public static RedisKey PerNumber(string digits) => $"smsrate:{digits}";
}
