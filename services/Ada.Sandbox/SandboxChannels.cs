namespace Ada.Sandbox;

/// <summary>
/// <c>Sandbox:Channels</c> (<c>telegram,vk,sms,email</c> unless set): the providers the sandbox imitates. A channel
/// left out gets no provider endpoints (its couriers reach a 404, never a fake success) and no SMTP server, so a
/// sandbox started beside real credentials of that channel cannot pass for its provider. <c>deploy/run.sh</c>
/// leaves out every channel whose real credentials are configured.
/// </summary>
public sealed class SandboxChannels
{
    public const string Setting = "Sandbox:Channels";
    public static readonly string[] All = ["telegram", "vk", "sms", "email"];

    private readonly HashSet<string> _on;

    public SandboxChannels(IConfiguration configuration)
    {
        var value = configuration[Setting];
        _on = value is null ? [.. All]
            : [.. value.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToLowerInvariant())];
        if (_on.FirstOrDefault(c => !All.Contains(c)) is { } unknown)
        {
            throw new InvalidOperationException(
                $"Sandbox__Channels names '{unknown}'; use a comma-separated list of {string.Join(", ", All)} (or nothing for none).");
        }
    }

    public bool Telegram => _on.Contains("telegram");
    public bool Vk => _on.Contains("vk");
    public bool Sms => _on.Contains("sms");
    public bool Email => _on.Contains("email");
}
