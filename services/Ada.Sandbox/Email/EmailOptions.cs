using System.ComponentModel.DataAnnotations;

namespace Ada.Sandbox.Email;

/// <summary>Startup settings of the SMTP server stand-in; the control API switches its faults at run time.</summary>
public sealed record EmailOptions
{
    public const string Section = "Sandbox:Email";

    /// <summary>The SMTP port on 127.0.0.1; 0 = one the system picks (see <c>GET /sandbox/email</c>).</summary>
    [Range(0, 65535)]
    public int Port { get; init; }

    /// <summary>The server's name in its greeting and EHLO answer.</summary>
    public string ServerName { get; init; } = "smtp.sandbox.local";

    /// <summary>A session is closed (421) after this long, as real servers end long sessions.</summary>
    [Range(1, 86_400)]
    public int SessionTimeoutSeconds { get; init; } = 3600;
}
