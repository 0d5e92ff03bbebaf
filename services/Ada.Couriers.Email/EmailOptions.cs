using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using MimeKit;

namespace Ada.Couriers.Email;

/// <summary>Section <c>Email</c>: the SMTP server to send through, as whom, and how fast.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = "Email";

    [Required(ErrorMessage = "Email:Host is required (environment variable Email__Host): the SMTP server that relays Ada's mail, e.g. smtp.university.ru.")]
    public string Host { get; set; } = "";

    /// <summary>Unset: 465 with <c>tls</c>, 587 with <c>starttls</c>, 25 with <c>none</c>.</summary>
    [Range(1, 65535)]
    public int? Port { get; set; }

    /// <summary><c>none</c> (plain), <c>starttls</c> (required upgrade after EHLO), <c>tls</c> (TLS from the first byte).</summary>
    public string Security { get; set; } = "starttls";

    /// <summary>With <see cref="Password"/>: the SMTP AUTH login; both unset, no AUTH.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    [Required(ErrorMessage = "Email:From is required (environment variable Email__From): the sender, e.g. \"Ada <noreply@university.ru>\".")]
    public string From { get; set; } = "";

    /// <summary>Messages per second, all instances together (one token per message); 0 = unpaced.</summary>
    [Range(0, 100_000)]
    public double MessagesPerSecond { get; set; } = 10;

    /// <summary>SMTP sessions, and so messages in flight, per instance.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 4;

    /// <summary>How long one SMTP command (connect, a reply) may take.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>A session that sent this many messages says QUIT and a fresh one goes on (servers cap messages per connection).</summary>
    [Range(1, 1_000_000)]
    public int MessagesPerConnection { get; set; } = 1000;

    /// <summary>A session idle longer than this is checked with NOOP before it is used again (servers close idle ones).</summary>
    [Range(1, 3600)]
    public int IdleSeconds { get; set; } = 30;

    public int EffectivePort => Port ?? SecurityOptions switch
    {
        SecureSocketOptions.SslOnConnect => 465,
        SecureSocketOptions.None => 25,
        _ => 587,
    };

    public SecureSocketOptions SecurityOptions => Security.Trim().ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "tls" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    public MailboxAddress Sender => MailboxAddress.Parse(From);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Security.Trim().ToLowerInvariant() is not ("none" or "starttls" or "tls"))
        {
            yield return new ValidationResult(
                $"Email:Security (Email__Security) must be none, starttls or tls; got '{Security}'.", [nameof(Security)]);
        }
        if (From.Length > 0 && (!MailboxAddress.TryParse(From, out var from) || !from.Address.Contains('@', StringComparison.Ordinal)))
        {
            yield return new ValidationResult(
                $"Email:From (Email__From) must be one address, e.g. \"Ada <noreply@university.ru>\"; got '{From}'.", [nameof(From)]);
        }
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult(
                "Email:Username and Email:Password (Email__Username, Email__Password) are set together, or neither (no SMTP AUTH).",
                [nameof(Username), nameof(Password)]);
        }
    }
}
