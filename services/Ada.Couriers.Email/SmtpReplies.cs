using Ada.Core.Couriers;
using MailKit.Net.Smtp;

namespace Ada.Couriers.Email;

/// <summary>
/// What an SMTP reply means for a receipt (RFC 5321 §4.2.1, enhanced codes RFC 3463): 4xx is transient, so the
/// person is tried again later; 5xx is permanent, so the receipt says failed with the server's own words. Of the
/// 4xx, 421 and 4.7.x (policy: rate limits, greylisting) count as throttling; of the 5xx, 5.1.1 (no such
/// mailbox) also deactivates the contact, as mass-mailing systems do with a hard bounce.
/// </summary>
public static class SmtpReplies
{
    /// <summary>How a reply reads in a receipt: the code and the server's text on one line, at most 500 characters.</summary>
    public static string Reply(SmtpCommandException e)
    {
        var text = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var reply = $"{(int)e.StatusCode} {text}";
        return reply.Length <= 500 ? reply : reply[..499] + "…";
    }

    public static SendOutcome ToOutcome(Addressee to, SmtpCommandException e)
    {
        var code = (int)e.StatusCode;
        var text = e.Message.TrimStart();
        return code switch
        {
            >= 500 and < 600 => new SendOutcome.Failed(to, $"smtp_{code}", Reply(e), Deactivate: text.StartsWith("5.1.1", StringComparison.Ordinal)),
            421 => new SendOutcome.Retry(to, $"smtp_{code}", Reply(e), Throttled: true),
            >= 400 and < 500 when text.StartsWith("4.7.", StringComparison.Ordinal) =>
                new SendOutcome.Retry(to, $"smtp_{code}", Reply(e), Throttled: true),
            _ => new SendOutcome.Retry(to, $"smtp_{code}", Reply(e)),
        };
    }
}
