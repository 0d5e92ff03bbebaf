using System.Security.Cryptography;

namespace Ada.Stack;

/// <summary>The channels Ada delivers on, as the couriers, the sandbox and the keys name them.</summary>
public static class StackChannels
{
    public const string Telegram = "telegram";
    public const string Vk = "vk";
    public const string Sms = "sms";
    public const string Email = "email";
    public static readonly IReadOnlyList<string> All = [Telegram, Vk, Sms, Email];

    /// <summary>The courier's project, e.g. <c>Ada.Couriers.Telegram</c>.</summary>
    public static string Project(string channel) => channel switch
    {
        Telegram => "Ada.Couriers.Telegram",
        Vk => "Ada.Couriers.Vk",
        Sms => "Ada.Couriers.Sms",
        Email => "Ada.Couriers.Email",
        _ => throw new ArgumentException($"no courier for channel '{channel}' ({string.Join(", ", All)})", nameof(channel)),
    };
}

/// <summary>
/// The secrets one stack's processes share: the API's admin token, the sandbox's control token, and, for each
/// channel the sandbox imitates, the credentials its courier presents and the keys the API checks its callbacks with.
/// </summary>
public sealed record StackSecrets
{
    public required string AdminToken { get; init; }

    /// <summary>The sandbox's control API (<c>/sandbox/…</c>) answers only requests with it in <c>X-Sandbox-Token</c>.</summary>
    public required string SandboxToken { get; init; }
    public required string TelegramToken { get; init; }
    public required string TelegramWebhookSecret { get; init; }
    public required string VkToken { get; init; }
    public long VkGroupId { get; init; } = 229000001;
    public required string VkSecret { get; init; }
    public required string VkConfirmation { get; init; }
    public string SmsUsername { get; init; } = "ada";
    public required string SmsPassword { get; init; }
    public required string SmsSigningKey { get; init; }

    /// <summary>Fresh random secrets (the local run's, and any test's that does not name its own).</summary>
    public static StackSecrets Generate() => new()
    {
        AdminToken = Hex(24),
        SandboxToken = Hex(16),
        TelegramToken = "123456:SANDBOX",
        TelegramWebhookSecret = Hex(16),
        VkToken = "vk1.sandbox." + Hex(8),
        VkSecret = Hex(16),
        VkConfirmation = Hex(4),
        SmsPassword = Hex(12),
        SmsSigningKey = Hex(24),
    };

    public static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}

/// <summary>What one <see cref="AdaProcesses"/> runs. Every dictionary of settings is environment variables (<c>Section__Key</c>).</summary>
public sealed class AdaProcessesOptions
{
    /// <summary>The Redis every service uses (one node's database, or a cluster).</summary>
    public required RedisTarget Redis { get; init; }

    public StackSecrets Secrets { get; init; } = StackSecrets.Generate();

    /// <summary>
    /// Channels that go to their real provider: their settings (<c>Telegram__Token</c>, <c>Vk__Token</c>, …) come
    /// from this process's environment, which the services inherit, and the sandbox does not imitate them. The
    /// sandbox runs when any channel is left to it.
    /// </summary>
    public IReadOnlySet<string> RealChannels { get; init; } = new HashSet<string>();

    /// <summary>The sandbox's port; a free one when null.</summary>
    public int? SandboxPort { get; init; }

    /// <summary>More sandbox settings (e.g. <c>Sandbox__Sms__FailDeliveryNumbers</c>), over the stack's.</summary>
    public Dictionary<string, string> SandboxSettings { get; init; } = [];

    /// <summary>How many couriers of each channel start with the stack (one Telegram courier unless told).</summary>
    public Dictionary<string, int> Couriers { get; init; } = new() { [StackChannels.Telegram] = 1 };

    /// <summary>The port of each channel's first courier; free ones otherwise.</summary>
    public Dictionary<string, int> CourierPorts { get; init; } = [];

    /// <summary>Settings of every courier, over the stack's (e.g. <c>Courier__SweepSeconds</c>).</summary>
    public Dictionary<string, string> CourierSettings { get; init; } = [];

    /// <summary>
    /// The couriers send as fast as the sandbox takes it (every <c>…MessagesPerSecond</c> 0): the tests. The local
    /// run and the benchmark pace as in production.
    /// </summary>
    public bool Unpaced { get; init; }

    /// <summary>API instances started with the stack (0: none, a stack of couriers only).</summary>
    public int ApiInstances { get; init; } = 1;

    /// <summary>The first API instance's port; a free one when null.</summary>
    public int? ApiPort { get; init; }

    /// <summary>More API settings (e.g. <c>Limits__Teacher__MessagesPerHour</c>), over the stack's.</summary>
    public Dictionary<string, string> ApiSettings { get; init; } = [];

    /// <summary>The API's Telegram bot against the sandbox: null (off), <c>polling</c> or <c>webhook</c>.</summary>
    public string? Bot { get; init; }

    /// <summary>The email courier's sender when the sandbox's SMTP server is used.</summary>
    public string EmailFrom { get; init; } = "Ada <noreply@example.edu>";

    /// <summary>Settings of every service (e.g. <c>DOTNET_PerfMapEnabled</c>), under everything else.</summary>
    public Dictionary<string, string> CommonSettings { get; init; } = [];

    public Launch Launch { get; init; } = Launch.InMemory;

    /// <summary>How long each service gets to answer <c>/health/ready</c>, and each courier to beat.</summary>
    public TimeSpan ReadyWithin { get; init; } = TimeSpan.FromSeconds(60);

    public bool Sandboxed(string channel) => !RealChannels.Contains(channel);

    public bool UsesSandbox => StackChannels.All.Any(Sandboxed);
}

/// <summary>A connection string for Ada and the database number in it (always 0 on a cluster).</summary>
public sealed record RedisTarget(string ConnectionString, int Database);
