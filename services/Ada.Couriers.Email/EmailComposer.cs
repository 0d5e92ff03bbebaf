using System.Security.Cryptography;
using System.Text;
using Ada.Core.Couriers;
using MimeKit;
using MimeKit.Text;

namespace Ada.Couriers.Email;

/// <summary>
/// One person's copy of a message as an email: plain text in UTF-8, the subject from the text's first line,
/// and a <c>Message-ID</c> that is the same whenever the same message goes to the same address again (after a
/// lost reply, or by the next holder of the claim after a crash), so the resend is recognisable in any mailbox
/// and mail log.
/// </summary>
public static class EmailComposer
{
    /// <summary>Long enough for a sentence; a mail client shows about this much in a list.</summary>
    public const int MaxSubjectLength = 100;

    /// <summary>Ada's own id of the message, for whoever traces a mail back to its history.</summary>
    public const string MessageIdHeader = "X-Ada-Message-Id";

    public static MimeMessage Compose(MailboxAddress from, MailboxAddress to, OutgoingMessage message, DateTimeOffset date)
    {
        var body = new TextPart(TextFormat.Plain);
        body.SetText(Encoding.UTF8, message.Text);
        var mail = new MimeMessage
        {
            Subject = Subject(message.Text),
            Date = date,
            MessageId = MessageId(message.Id, to.Address, from.Domain),
            Body = body,
        };
        // A copy per message: an address list subscribes to its addresses' Changed event, so the courier's one sender
        // address would hold on to every message ever composed (1.1 GB after 100,000 emails; measured, README).
        mail.From.Add(new MailboxAddress(from.Name, from.Address));
        mail.To.Add(to);
        // RFC 3834: a notification, so vacation responders and the like do not answer it.
        mail.Headers.Add("Auto-Submitted", "auto-generated");
        mail.Headers.Add(MessageIdHeader, message.Id);
        return mail;
    }

    /// <summary>
    /// The first line with text, its white space collapsed; past <see cref="MaxSubjectLength"/> cut at a word
    /// (or hard, for one long word) and ended with "…".
    /// </summary>
    public static string Subject(string text)
    {
        var line = text.Split('\n').Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .FirstOrDefault(l => l.Length > 0) ?? "";
        if (line.Length <= MaxSubjectLength)
        {
            return line;
        }
        var cut = line.LastIndexOf(' ', MaxSubjectLength - 1);
        var length = cut >= MaxSubjectLength / 2 ? cut : MaxSubjectLength - 1;
        if (char.IsHighSurrogate(line[length - 1]))
        {
            length--;
        }
        return line[..length].TrimEnd() + "…";
    }

    /// <summary>
    /// <c>ada.&lt;32 hex&gt;@&lt;sender's domain&gt;</c>: the hex is SHA-256 of the message id, the channel and the
    /// address (lowercased), so it depends on what is sent to whom and never on the attempt.
    /// </summary>
    public static string MessageId(string messageId, string address, string domain)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{messageId}\nemail\n{address.ToLowerInvariant()}"));
        return $"ada.{Convert.ToHexStringLower(hash.AsSpan(0, 16))}@{domain}";
    }
}
