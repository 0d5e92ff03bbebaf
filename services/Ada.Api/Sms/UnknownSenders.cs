using Ada.Core.Directory;
using Microsoft.Extensions.Caching.Memory;

namespace Ada.Api.Sms;

/// <summary>
/// SMS from numbers no user has get no answer (an answer costs money and tells a stranger the number is
/// Ada's). Each number is logged at most once per <see cref="Quiet"/> per API instance, masked, without its text.
/// </summary>
public sealed class UnknownSenders(IMemoryCache cache, ILogger<UnknownSenders> logger)
{
    public static readonly TimeSpan Quiet = TimeSpan.FromMinutes(10);

    public void Refuse(string phone, int textLength)
    {
        var key = "sms-unknown:" + phone;
        if (cache.TryGetValue(key, out _))
        {
            return;
        }
        cache.Set(key, true, Quiet);
        logger.LogWarning(
            "Refused an SMS of {Length} characters from {Phone}, which is no user's SMS contact: nothing was sent; " +
            "further SMS from this number are not logged for {QuietMinutes} minutes",
            textLength, PhoneNumbers.Mask(phone), Quiet.TotalMinutes);
    }
}
