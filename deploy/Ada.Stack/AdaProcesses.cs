using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Ada.Core;
using StackExchange.Redis;

namespace Ada.Stack;

/// <summary>
/// The one local stack: Ada's services as real processes on 127.0.0.1 over a Redis the caller started — the
/// provider sandbox (for every channel without real credentials), the API and the couriers, wired to each other
/// as in production: the sandbox's VK Callback API events and SMS gateway webhooks go to the API, signed with
/// the keys the API checks; each courier presents the credentials the sandbox expects. The end-to-end and
/// reliability tests, the benchmark and deploy/run.sh all start Ada through this.
/// </summary>
public sealed class AdaProcesses : IAsyncDisposable
{
    /// <summary>The header the sandbox's control API (<c>/sandbox/…</c>) reads its token from.</summary>
    public const string SandboxTokenHeader = "X-Sandbox-Token";

    /// <summary>The sandbox's setting of its control token (required: it does not start without one).</summary>
    public const string SandboxTokenVariable = "Sandbox__ControlToken";

    private static readonly string[] SmsWebhookEvents = ["sms:sent", "sms:delivered", "sms:failed", "sms:received"];
    private readonly Dictionary<string, List<ServiceProcess>> _couriers = StackChannels.All.ToDictionary(c => c, _ => new List<ServiceProcess>());
    private readonly Dictionary<string, int> _startCount = StackChannels.All.ToDictionary(c => c, _ => 0);
    private readonly List<ServiceProcess> _apis = [];
    private int _apiStarts;
    private readonly Dictionary<string, string> _smtp = [];

    private AdaProcesses(AdaProcessesOptions options, Uri apiAddress)
    {
        Options = options;
        ApiAddress = apiAddress;
    }

    public AdaProcessesOptions Options { get; }
    public StackSecrets Secrets => Options.Secrets;
    public RedisTarget Redis => Options.Redis;

    /// <summary>The sandbox, or null when every channel goes to its real provider.</summary>
    public ServiceProcess? Sandbox { get; private set; }

    /// <summary>Where the first API instance listens (chosen before anything starts: the sandbox's callbacks go there).</summary>
    public Uri ApiAddress { get; }

    /// <summary>The first API instance (null with <see cref="AdaProcessesOptions.ApiInstances"/> 0).</summary>
    public ServiceProcess? Api => Apis is [var first, ..] ? first : null;

    /// <summary>Every API instance, the first first.</summary>
    public IReadOnlyList<ServiceProcess> Apis
    {
        get
        {
            lock (_apis)
            {
                return [.. _apis];
            }
        }
    }

    /// <summary>Every courier of the channel started, dead or alive, in start order.</summary>
    public IReadOnlyList<ServiceProcess> Couriers(string channel)
    {
        lock (_couriers)
        {
            return [.. _couriers[channel]];
        }
    }

    /// <summary>
    /// Starts the sandbox, then the couriers and the API side by side; returns once every service is ready, every
    /// channel with couriers has a heartbeat in Redis (the API expects a channel only after its first beat) and,
    /// with an SMS courier on the sandbox, the courier has registered the gateway's webhooks. On any failure
    /// everything started is killed.
    /// </summary>
    public static async Task<AdaProcesses> StartAsync(AdaProcessesOptions options, CancellationToken cancel = default)
    {
        var apiPort = options.ApiPort ?? Ports.Free();
        var stack = new AdaProcesses(options, new Uri($"http://127.0.0.1:{apiPort}"));
        try
        {
            if (options.UsesSandbox)
            {
                stack.Sandbox = await ServiceProcess.StartAsync("Ada.Sandbox", stack.SandboxEnvironment(), options.SandboxPort,
                    options.ReadyWithin, options.Launch, "sandbox");
            }
            cancel.ThrowIfCancellationRequested();
            var starting = new List<Task>();
            foreach (var (channel, count) in options.Couriers)
            {
                for (var i = 0; i < count; i++)
                {
                    starting.Add(stack.StartCourierAsync(channel, null, waitHeartbeat: false));
                }
            }
            for (var i = 0; i < options.ApiInstances; i++)
            {
                starting.Add(stack.StartApiAsync(i == 0 ? apiPort : null));
            }
            await WhenAllOrThrowAsync(starting);
            cancel.ThrowIfCancellationRequested();
            foreach (var (channel, count) in options.Couriers.Where(c => c.Value > 0))
            {
                await stack.WaitHeartbeatAsync(channel);
                if (channel == StackChannels.Sms && options.Sandboxed(StackChannels.Sms))
                {
                    await stack.WaitSmsWebhooksAsync();
                }
            }
            await stack.WaitApisSeeChannelsAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for every task (so none is left starting a process nobody disposes), then throws the first failure.</summary>
    private static async Task WhenAllOrThrowAsync(List<Task> tasks)
    {
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            throw tasks.First(t => t.IsFaulted).Exception!.InnerException!;
        }
    }

    /// <summary>The sandbox: this stack's control token, the channels it imitates and, for each, the other side of the courier's credentials.</summary>
    private Dictionary<string, string> SandboxEnvironment()
    {
        var s = Secrets;
        var env = new Dictionary<string, string>(Options.CommonSettings)
        {
            [SandboxTokenVariable] = s.SandboxToken,
        };
        if (Options.RealChannels.Count > 0)
        {
            env["Sandbox__Channels"] = string.Join(',', StackChannels.All.Where(Options.Sandboxed));
        }
        if (Options.Sandboxed(StackChannels.Vk))
        {
            // It accepts only this token, and sends its Callback API events (message_allow, message_deny,
            // message_new) to the API as community VkGroupId, signed with the secret.
            env["Sandbox__Vk__Token"] = s.VkToken;
            env["Sandbox__Vk__CallbackUrl"] = new Uri(ApiAddress, "/v1/vk/callback").ToString();
            env["Sandbox__Vk__GroupId"] = s.VkGroupId.ToString(CultureInfo.InvariantCulture);
            env["Sandbox__Vk__Secret"] = s.VkSecret;
        }
        if (Options.Sandboxed(StackChannels.Sms))
        {
            // Its SMS Gateway for Android: basic auth, and the key it signs its webhooks with.
            env["Sandbox__Sms__Username"] = s.SmsUsername;
            env["Sandbox__Sms__Password"] = s.SmsPassword;
            env["Sandbox__Sms__SigningKey"] = s.SmsSigningKey;
        }
        return Over(env, Options.SandboxSettings);
    }

    /// <summary>The API's settings: the keys it checks the sandbox's callbacks with, and its Telegram bot when asked.</summary>
    public Dictionary<string, string> ApiEnvironment()
    {
        var s = Secrets;
        var env = new Dictionary<string, string>(Options.CommonSettings)
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Ada__AdminToken"] = s.AdminToken,
            // No quiet hours unless asked: a message is delivered when the test (or the person trying Ada) says.
            ["Scheduling__QuietHours"] = "",
        };
        if (Options.Sandboxed(StackChannels.Vk))
        {
            env["Vk__GroupId"] = s.VkGroupId.ToString(CultureInfo.InvariantCulture);
            env["Vk__Secret"] = s.VkSecret;
            env["Vk__Confirmation"] = s.VkConfirmation;
        }
        if (Options.Sandboxed(StackChannels.Sms))
        {
            env["Sms__WebhookSigningKey"] = s.SmsSigningKey;
        }
        // A real Telegram's bot settings come from the environment, as every real provider's do.
        if (Options.Bot is { } bot && Options.Sandboxed(StackChannels.Telegram))
        {
            env["Telegram__Token"] = s.TelegramToken;
            env["Telegram__BaseUrl"] = SandboxAddress.ToString();
            env["Telegram__Updates"] = bot;
            if (bot == "webhook")
            {
                env["Telegram__WebhookUrl"] = new Uri(ApiAddress, "/v1/telegram/webhook").ToString();
                env["Telegram__WebhookSecret"] = s.TelegramWebhookSecret;
            }
        }
        return Over(env, Options.ApiSettings);
    }

    /// <summary>One courier's settings: the stack's for its channel, the options' courier settings, then <paramref name="overrides"/>.</summary>
    public async Task<Dictionary<string, string>> CourierEnvironmentAsync(string channel, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var s = Secrets;
        var env = new Dictionary<string, string>(Options.CommonSettings)
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
        };
        var sandboxed = Options.Sandboxed(channel);
        switch (channel)
        {
            case StackChannels.Telegram when sandboxed:
                env["Telegram__Token"] = s.TelegramToken;
                env["Telegram__BaseUrl"] = SandboxAddress.ToString();
                break;
            case StackChannels.Vk when sandboxed:
                env["Vk__Token"] = s.VkToken;
                env["Vk__BaseUrl"] = new Uri(SandboxAddress, "/method/").ToString();
                break;
            case StackChannels.Sms when sandboxed:
                // The sandbox's SMS Gateway for Android (its local-server API at the sandbox's root); the courier
                // registers the gateway's webhooks to the API.
                env["Sms__Provider"] = "android-gateway";
                env["Sms__BaseUrl"] = SandboxAddress.ToString().TrimEnd('/');
                env["Sms__Username"] = s.SmsUsername;
                env["Sms__Password"] = s.SmsPassword;
                env["Sms__PublicUrl"] = ApiAddress.ToString().TrimEnd('/');
                break;
            case StackChannels.Email when sandboxed:
                // The sandbox's SMTP server: plain SMTP, no login.
                var (host, port) = await SmtpServerAsync();
                env["Email__Host"] = host;
                env["Email__Port"] = port;
                env["Email__Security"] = "none";
                env["Email__From"] = Options.EmailFrom;
                break;
        }
        if (Options.Unpaced)
        {
            foreach (var pace in channel switch
            {
                StackChannels.Telegram => ["Telegram__MessagesPerSecond"],
                StackChannels.Vk => ["Vk__RequestsPerSecond"],
                StackChannels.Sms => ["Sms__MessagesPerSecond", "Sms__PerNumberPerMinute"],
                _ => new[] { "Email__MessagesPerSecond" },
            })
            {
                env[pace] = "0";
            }
        }
        return Over(Over(env, Options.CourierSettings), overrides);
    }

    /// <summary>Starts one more courier of the channel (<paramref name="overrides"/> over its settings) and waits for its channel's heartbeat.</summary>
    public Task<ServiceProcess> StartCourierAsync(string channel, IReadOnlyDictionary<string, string>? overrides = null) =>
        StartCourierAsync(channel, overrides, waitHeartbeat: true);

    private async Task<ServiceProcess> StartCourierAsync(string channel, IReadOnlyDictionary<string, string>? overrides, bool waitHeartbeat)
    {
        int number;
        lock (_couriers)
        {
            number = ++_startCount[channel];
        }
        var port = number == 1 && Options.CourierPorts.TryGetValue(channel, out var fixedPort) ? fixedPort : (int?)null;
        var courier = await ServiceProcess.StartAsync(StackChannels.Project(channel), await CourierEnvironmentAsync(channel, overrides),
            port, Options.ReadyWithin, Options.Launch, number == 1 ? channel : $"{channel}-{number}");
        lock (_couriers)
        {
            _couriers[channel].Add(courier);
        }
        if (waitHeartbeat)
        {
            await WaitHeartbeatAsync(channel);
        }
        return courier;
    }

    /// <summary>One more API instance on the same Redis, configured as the first but for the settings in <paramref name="more"/>.</summary>
    public Task<ServiceProcess> StartApiInstanceAsync(IReadOnlyDictionary<string, string>? more = null) => StartApiAsync(null, more);

    private async Task<ServiceProcess> StartApiAsync(int? port, IReadOnlyDictionary<string, string>? more = null)
    {
        var number = Interlocked.Increment(ref _apiStarts);
        var name = number == 1 ? "api" : $"api-{number}";
        var environment = ApiEnvironment();
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var api = await ServiceProcess.StartAsync("Ada.Api", environment, port, Options.ReadyWithin, Options.Launch, name);
        lock (_apis)
        {
            // The first instance (on ApiAddress) stays first, whichever of those started together was ready first.
            _apis.Insert(port is null ? _apis.Count : 0, api);
        }
        return api;
    }

    /// <summary>Until a courier of the channel has beaten within the last 30 s (<c>couriers:&lt;channel&gt;</c>).</summary>
    public async Task WaitHeartbeatAsync(string channel)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        var db = mux.GetDatabase(Redis.Database);
        await Eventually.WaitAsync(
            async () => await db.SortedSetLengthAsync(Keys.Couriers(channel), DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeMilliseconds()) > 0,
            Options.ReadyWithin, $"a {channel} courier heartbeat ({Keys.Couriers(channel)})");
    }

    /// <summary>
    /// Until every API instance lists each channel with couriers as live (<c>GET /v1/channels</c>). An API caches the
    /// registry for a second and may have read it at its own start, before a courier's first beat; that read is
    /// fresh and replaces the cache, so a message queued next expects every channel.
    /// </summary>
    private async Task WaitApisSeeChannelsAsync()
    {
        var channels = Options.Couriers.Where(c => c.Value > 0).Select(c => c.Key).ToList();
        foreach (var api in Apis)
        {
            using var http = new HttpClient { BaseAddress = api.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Secrets.AdminToken);
            await Eventually.WaitAsync(
                async () =>
                {
                    var listed = await http.GetFromJsonAsync<JsonArray>("/v1/channels");
                    var live = listed!.Where(c => c!["live"]!.GetValue<bool>()).Select(c => c!["name"]!.GetValue<string>()).ToHashSet();
                    return channels.All(live.Contains);
                },
                Options.ReadyWithin, $"{api.Name} to list {string.Join(", ", channels)} as live (GET /v1/channels)");
        }
    }

    /// <summary>The SMS courier registers sms:sent/delivered/failed/received with the sandbox's gateway in the background at start.</summary>
    private async Task WaitSmsWebhooksAsync()
    {
        using var http = new HttpClient { BaseAddress = SandboxAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Secrets.SmsUsername}:{Secrets.SmsPassword}")));
        await Eventually.WaitAsync(async () =>
        {
            var hooks = await http.GetFromJsonAsync<JsonArray>(new Uri("/webhooks", UriKind.Relative));
            var events = hooks!.Select(h => h!["event"]!.GetValue<string>()).ToHashSet();
            return SmsWebhookEvents.All(events.Contains);
        }, Options.ReadyWithin, "the SMS courier to register the gateway's webhooks");
    }

    /// <summary>Where the sandbox's SMTP server listens (<c>GET /sandbox/email</c>), asked once.</summary>
    private async Task<(string Host, string Port)> SmtpServerAsync()
    {
        if (_smtp.Count == 0)
        {
            using var http = SandboxClient();
            var smtp = (await http.GetFromJsonAsync<JsonObject>(new Uri("/sandbox/email", UriKind.Relative)))!;
            lock (_smtp)
            {
                _smtp["host"] = smtp["host"]!.GetValue<string>();
                _smtp["port"] = smtp["port"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture);
            }
        }
        return (_smtp["host"], _smtp["port"]);
    }

    public Uri SandboxAddress => Sandbox?.BaseAddress ?? throw new InvalidOperationException("Every channel has its real provider: no sandbox runs.");

    /// <summary>A client of the API (the first instance, or <paramref name="api"/>) with a bearer token; <paramref name="handler"/> for a pool of its own.</summary>
    public HttpClient ApiClient(string token, HttpMessageHandler? handler = null, ServiceProcess? api = null)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = api?.BaseAddress ?? ApiAddress;
        http.Timeout = TimeSpan.FromSeconds(100);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A client of the sandbox that sends the control token (<c>X-Sandbox-Token</c>).</summary>
    public HttpClient SandboxClient(HttpMessageHandler? handler = null)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = SandboxAddress;
        http.Timeout = TimeSpan.FromSeconds(60);
        http.DefaultRequestHeaders.Add(SandboxTokenHeader, Secrets.SandboxToken);
        return http;
    }

    /// <summary>Every process of the stack, in start order.</summary>
    public IReadOnlyList<ServiceProcess> All
    {
        get
        {
            lock (_couriers)
            {
                return [.. Sandbox is null ? [] : new[] { Sandbox }, .. _couriers.Values.SelectMany(c => c), .. Apis];
            }
        }
    }

    /// <summary>Completes when any process of the stack exits (the local run stops everything then).</summary>
    public Task<ServiceProcess> WaitForAnyExitAsync(CancellationToken cancel) =>
        Task.WhenAny(All.Select(async p =>
        {
            await p.WaitForExitAsync(cancel);
            return p;
        })).Unwrap();

    /// <summary>SIGTERM to every process together (a graceful stop), SIGKILL to those still running after <paramref name="within"/>.</summary>
    public async Task StopAsync(TimeSpan within) =>
        await Task.WhenAll(All.Where(p => !p.HasExited).Select(p => p.Process.TerminateAsync(within)));

    /// <summary>Kills everything: the APIs and the couriers, then the sandbox.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in All.Reverse())
        {
            await process.DisposeAsync();
        }
    }

    private static Dictionary<string, string> Over(Dictionary<string, string> env, IReadOnlyDictionary<string, string>? more)
    {
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }
        return env;
    }
}
