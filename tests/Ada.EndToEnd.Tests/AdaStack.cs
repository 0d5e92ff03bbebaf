using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ada.Testing;

namespace Ada.EndToEnd.Tests;

/// <summary>
/// The whole of Ada as real processes on one Redis database (of one redis-server, or of a cluster): the sandbox, the API and the Telegram courier, and,
/// when asked, the VK, SMS and email couriers, wired to the sandbox as deploy/run.sh wires them (the sandbox's VK
/// Callback API events and SMS gateway webhooks go to the API, signed with the keys the API checks).
/// </summary>
public sealed class AdaStack : IAsyncDisposable
{
    public const string AdminToken = "e2e-admin-token-0123456789abcdef";
    public const string TelegramToken = "123456:E2E-TEST";
    public const string VkToken = "vk1.e2e-sandbox-token";
    public const long VkGroupId = 229000001;
    public const string VkSecret = "e2e-vk-callback-secret";
    public const string VkConfirmation = "e2e0c0nf";
    public const string SmsUsername = "ada";
    public const string SmsPassword = "e2e-sms-gateway-password";
    public const string SmsSigningKey = "e2e-sms-webhook-signing-key-0123456789";
    public const string TelegramWebhookSecret = "e2e-telegram-webhook-secret_0123";
    public const string BotUsername = "ada_sandbox_bot";

    private readonly List<ServiceProcess> _couriers = [];
    private readonly List<ServiceProcess> _vkCouriers = [];
    private readonly List<ServiceProcess> _smsCouriers = [];
    private readonly List<ServiceProcess> _emailCouriers = [];
    private readonly List<ServiceProcess> _apis = [];
    private Dictionary<string, string> _apiEnvironment = [];

    private AdaStack(RedisTarget redis, ServiceProcess sandbox, Uri apiAddress)
    {
        Redis = redis;
        Sandbox = sandbox;
        ApiAddress = apiAddress;
        SandboxHttp = new HttpClient { BaseAddress = sandbox.BaseAddress };
    }

    public RedisTarget Redis { get; }

    /// <summary>How often the couriers sweep the due index (1 s; a test that must see events alone sets it long).</summary>
    public int SweepSeconds { get; private init; } = 1;
    public int Database => Redis.Database;
    public ServiceProcess Sandbox { get; }
    public ServiceProcess Api { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient SandboxHttp { get; }

    /// <summary>Where the API listens (chosen before it starts: the sandbox's callbacks and webhooks go there).</summary>
    public Uri ApiAddress { get; }

    /// <summary>The Telegram couriers.</summary>
    public IReadOnlyList<ServiceProcess> Couriers => _couriers;
    public IReadOnlyList<ServiceProcess> VkCouriers => _vkCouriers;
    public IReadOnlyList<ServiceProcess> SmsCouriers => _smsCouriers;
    public IReadOnlyList<ServiceProcess> EmailCouriers => _emailCouriers;

    /// <summary>The sender of every email (the courier's <c>Email__From</c>).</summary>
    public const string EmailFrom = "Ada <noreply@example.edu>";

    /// <summary>Every API instance: <see cref="Api"/> first, then those of <see cref="StartApiInstanceAsync"/>.</summary>
    public IReadOnlyList<ServiceProcess> Apis => _apis;

    /// <summary>
    /// Starts the sandbox, then the API and the couriers side by side: <paramref name="couriers"/> Telegram
    /// couriers, and one VK courier (<paramref name="vk"/>) and one SMS courier (<paramref name="sms"/>, SMS
    /// Gateway for Android) and one email courier (<paramref name="email"/>, the sandbox's SMTP server) against the sandbox. <paramref name="sandbox"/> adds sandbox settings
    /// (e.g. <c>Sandbox__Sms__FailDeliveryNumbers</c>). Returns once every service is ready, every courier's
    /// heartbeat is in Redis and, with SMS, the courier has registered the gateway's webhooks.
    /// </summary>
    /// <param name="bot">The API's Telegram bot against the sandbox: null (off), <c>polling</c> or <c>webhook</c>.</param>
    /// <param name="api">More API settings (e.g. <c>Limits__Teacher__MessagesPerHour</c>).</param>
    public static async Task<AdaStack> StartAsync(IRedisEndpoint redis, int couriers = 1, bool vk = false, bool sms = false,
        IReadOnlyDictionary<string, string>? sandbox = null, int sweepSeconds = 1, bool email = false, string? bot = null,
        IReadOnlyDictionary<string, string>? api = null)
    {
        var target = await redis.NewTargetAsync();
        var apiPort = RedisServer.FreePort();
        var apiAddress = new Uri($"http://127.0.0.1:{apiPort}");
        var sandboxEnvironment = new Dictionary<string, string>();
        if (vk)
        {
            sandboxEnvironment["Sandbox__Vk__Token"] = VkToken;
            sandboxEnvironment["Sandbox__Vk__CallbackUrl"] = new Uri(apiAddress, "/v1/vk/callback").ToString();
            sandboxEnvironment["Sandbox__Vk__GroupId"] = VkGroupId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            sandboxEnvironment["Sandbox__Vk__Secret"] = VkSecret;
        }
        if (sms)
        {
            sandboxEnvironment["Sandbox__Sms__Username"] = SmsUsername;
            sandboxEnvironment["Sandbox__Sms__Password"] = SmsPassword;
            sandboxEnvironment["Sandbox__Sms__SigningKey"] = SmsSigningKey;
        }
        foreach (var (key, value) in sandbox ?? new Dictionary<string, string>())
        {
            sandboxEnvironment[key] = value;
        }
        var sandboxProcess = await ServiceProcess.StartAsync("Ada.Sandbox", sandboxEnvironment);
        var stack = new AdaStack(target, sandboxProcess, apiAddress) { SweepSeconds = sweepSeconds };
        stack._apiEnvironment = stack.ApiEnvironment(bot, api);
        try
        {
            var starting = new List<Task>();
            for (var i = 0; i < couriers; i++)
            {
                starting.Add(stack.StartCourierAsync());
            }
            if (vk)
            {
                starting.Add(stack.StartVkCourierAsync());
            }
            if (sms)
            {
                starting.Add(stack.StartSmsCourierAsync());
            }
            if (email)
            {
                starting.Add(stack.StartEmailCourierAsync());
            }
            starting.Add(stack.StartApiAsync(apiPort));
            await WhenAllOrThrowAsync(starting);
            // A courier is "started" when its process runs; the API expects its channel only after its first beat.
            if (couriers > 0)
            {
                await stack.WaitHeartbeatAsync("telegram");
            }
            if (vk)
            {
                await stack.WaitHeartbeatAsync("vk");
            }
            if (sms)
            {
                await stack.WaitHeartbeatAsync("sms");
                await stack.WaitSmsWebhooksAsync();
            }
            if (email)
            {
                await stack.WaitHeartbeatAsync("email");
            }
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

    private Dictionary<string, string> ApiEnvironment(string? bot, IReadOnlyDictionary<string, string>? more)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Ada__AdminToken"] = AdminToken,
            ["Scheduling__QuietHours"] = "",
            ["Vk__GroupId"] = VkGroupId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Vk__Secret"] = VkSecret,
            ["Vk__Confirmation"] = VkConfirmation,
            ["Sms__WebhookSigningKey"] = SmsSigningKey,
        };
        if (bot is not null)
        {
            environment["Telegram__Token"] = TelegramToken;
            environment["Telegram__BaseUrl"] = Sandbox.BaseAddress.ToString();
            environment["Telegram__Updates"] = bot;
            environment["Telegram__PollSeconds"] = "2";
            environment["Telegram__PollerLeaseSeconds"] = "3";
        }
        if (bot == "webhook")
        {
            environment["Telegram__WebhookUrl"] = new Uri(ApiAddress, "/v1/telegram/webhook").ToString();
            environment["Telegram__WebhookSecret"] = TelegramWebhookSecret;
        }
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return environment;
    }

    private async Task StartApiAsync(int port)
    {
        Api = await ServiceProcess.StartAsync("Ada.Api", _apiEnvironment, port);
        lock (_apis)
        {
            _apis.Insert(0, Api);
        }
        Admin = Client(AdminToken);
    }

    /// <summary>One more API instance on the same Redis, configured as the first but for the settings in <paramref name="more"/>.</summary>
    public async Task<ServiceProcess> StartApiInstanceAsync(IReadOnlyDictionary<string, string>? more = null)
    {
        var environment = new Dictionary<string, string>(_apiEnvironment);
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var api = await ServiceProcess.StartAsync("Ada.Api", environment, RedisServer.FreePort());
        lock (_apis)
        {
            _apis.Add(api);
        }
        return api;
    }

    public async Task<ServiceProcess> StartCourierAsync()
    {
        var courier = await ServiceProcess.StartAsync("Ada.Couriers.Telegram", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Telegram__Token"] = TelegramToken,
            ["Telegram__BaseUrl"] = Sandbox.BaseAddress.ToString(),
            ["Telegram__MessagesPerSecond"] = "0",
            ["Courier__SweepSeconds"] = SweepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        lock (_couriers)
        {
            _couriers.Add(courier);
        }
        return courier;
    }

    /// <summary>A VK courier against the sandbox's VK API, unpaced.</summary>
    public async Task<ServiceProcess> StartVkCourierAsync()
    {
        var courier = await ServiceProcess.StartAsync("Ada.Couriers.Vk", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Vk__Token"] = VkToken,
            ["Vk__BaseUrl"] = new Uri(Sandbox.BaseAddress, "/method/").ToString(),
            ["Vk__RequestsPerSecond"] = "0",
            ["Courier__SweepSeconds"] = SweepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        lock (_vkCouriers)
        {
            _vkCouriers.Add(courier);
        }
        return courier;
    }

    /// <summary>An SMS courier against the sandbox's SMS Gateway for Android (local server), unpaced; it registers the webhooks to the API.</summary>
    public async Task<ServiceProcess> StartSmsCourierAsync()
    {
        var courier = await ServiceProcess.StartAsync("Ada.Couriers.Sms", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Sms__Provider"] = "android-gateway",
            ["Sms__BaseUrl"] = Sandbox.BaseAddress.ToString().TrimEnd('/'),
            ["Sms__Username"] = SmsUsername,
            ["Sms__Password"] = SmsPassword,
            ["Sms__PublicUrl"] = ApiAddress.ToString().TrimEnd('/'),
            ["Sms__MessagesPerSecond"] = "0",
            ["Sms__PerNumberPerMinute"] = "0",
            ["Courier__SweepSeconds"] = SweepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        lock (_smsCouriers)
        {
            _smsCouriers.Add(courier);
        }
        return courier;
    }

    /// <summary>An email courier against the sandbox's SMTP server (its port from <c>GET /sandbox/email</c>), plain SMTP, unpaced.</summary>
    public async Task<ServiceProcess> StartEmailCourierAsync()
    {
        var smtp = await SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/email");
        var courier = await ServiceProcess.StartAsync("Ada.Couriers.Email", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Email__Host"] = smtp!["host"]!.GetValue<string>(),
            ["Email__Port"] = smtp["port"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email__Security"] = "none",
            ["Email__From"] = EmailFrom,
            ["Email__MessagesPerSecond"] = "0",
            ["Courier__SweepSeconds"] = SweepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        lock (_emailCouriers)
        {
            _emailCouriers.Add(courier);
        }
        return courier;
    }

    private async Task WaitHeartbeatAsync(string channel)
    {
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        var db = mux.GetDatabase(Database);
        await Eventually.WaitAsync(async () => await db.SortedSetLengthAsync($"couriers:{channel}") > 0,
            TimeSpan.FromSeconds(30), $"a {channel} courier heartbeat (couriers:{channel})");
    }

    /// <summary>The SMS courier registers sms:sent/delivered/failed/received with the gateway in the background at start.</summary>
    private async Task WaitSmsWebhooksAsync()
    {
        using var http = new HttpClient { BaseAddress = Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{SmsUsername}:{SmsPassword}")));
        await Eventually.WaitAsync(async () =>
        {
            var hooks = await http.GetFromJsonAsync<JsonArray>("/webhooks");
            var events = hooks!.Select(h => h!["event"]!.GetValue<string>()).ToHashSet();
            return new[] { "sms:sent", "sms:delivered", "sms:failed", "sms:received" }.All(events.Contains);
        }, TimeSpan.FromSeconds(30), "the SMS courier to register the gateway's webhooks");
    }

    /// <summary>A client of the first API instance, or of <paramref name="api"/>, acting with <paramref name="token"/>.</summary>
    public HttpClient Client(string token, ServiceProcess? api = null)
    {
        var http = new HttpClient { BaseAddress = api?.BaseAddress ?? ApiAddress, Timeout = TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<string> TokenForAsync(string userId)
    {
        using var response = await Admin.PostAsJsonAsync("/v1/tokens", new { userId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    /// <summary>What the sandbox's Telegram received (of one chat, when given).</summary>
    public Task<JsonArray> InboxAsync(string? chatId = null) => InboxAsync("telegram", chatId);

    /// <summary>What one channel of the sandbox received: <c>telegram</c>, <c>vk</c> (chatId = peer id), <c>sms</c> (chatId = E.164) or <c>email</c> (chatId = address).</summary>
    public async Task<JsonArray> InboxAsync(string channel, string? chatId)
    {
        var url = $"/sandbox/inbox?channel={channel}&limit=100000" + (chatId is null ? "" : $"&chatId={Uri.EscapeDataString(chatId)}");
        var page = await SandboxHttp.GetFromJsonAsync<JsonObject>(url);
        return page!["messages"]!.AsArray();
    }

    /// <summary>Reads a tracker stream to its end, returning (event, data) pairs in order.</summary>
    public static async Task<List<(string Event, string Data)>> ReadEventsAsync(HttpClient client, string url, TaskCompletionSource? opened = null)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string, string)>();
        string? name = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null)
                {
                    events.Add((name, string.Join('\n', data)));
                    if (name == "snapshot")
                    {
                        opened?.TrySetResult();
                    }
                    if (name == "end")
                    {
                        break;
                    }
                }
                name = null;
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line[5..].TrimStart());
            }
        }
        return events;
    }

    public static JsonNode Parse(string json) => JsonNode.Parse(json) ?? throw new JsonException("null document");

    public async ValueTask DisposeAsync()
    {
        foreach (var courier in _couriers.Concat(_vkCouriers).Concat(_smsCouriers).Concat(_emailCouriers))
        {
            await courier.DisposeAsync();
        }
        foreach (var api in _apis)
        {
            await api.DisposeAsync();
        }
        await Sandbox.DisposeAsync();
        Admin?.Dispose();
        SandboxHttp.Dispose();
    }
}
