using System.Text.Json;

namespace Ada.EndToEnd.Tests;

/// <summary>
/// The whole of Ada as real processes on one Redis database (of one redis-server, or of a cluster): the sandbox,
/// the API and the Telegram courier, and, when asked, the VK, SMS and email couriers — deploy/Ada.Stack's
/// <see cref="AdaProcesses"/>, the builder deploy/run.sh starts too, unpaced, with the helpers these tests share.
/// </summary>
public sealed class AdaStack : IAsyncDisposable
{
    public const string AdminToken = "e2e-admin-token-0123456789abcdef";
    public const string TelegramWebhookSecret = "e2e-telegram-webhook-secret_0123";
    public const string BotUsername = "ada_sandbox_bot";

    private AdaStack(AdaProcesses processes, int sweepSeconds)
    {
        Processes = processes;
        SweepSeconds = sweepSeconds;
        Admin = processes.ApiClient(AdminToken);
        SandboxHttp = processes.SandboxClient();
    }

    /// <summary>The processes and their wiring.</summary>
    public AdaProcesses Processes { get; }
    public RedisTarget Redis => Processes.Redis;

    /// <summary>How often the couriers sweep the due index (1 s; a test that must see events alone sets it long).</summary>
    public int SweepSeconds { get; }
    public int Database => Redis.Database;
    public ServiceProcess Sandbox => Processes.Sandbox!;
    public ServiceProcess Api => Processes.Api!;
    public HttpClient Admin { get; }

    /// <summary>The sandbox with this stack's control token.</summary>
    public HttpClient SandboxHttp { get; }

    /// <summary>Where the API listens (chosen before it starts: the sandbox's callbacks and webhooks go there).</summary>
    public Uri ApiAddress => Processes.ApiAddress;

    /// <summary>The Telegram couriers.</summary>
    public IReadOnlyList<ServiceProcess> Couriers => Processes.Couriers(StackChannels.Telegram);
    public IReadOnlyList<ServiceProcess> VkCouriers => Processes.Couriers(StackChannels.Vk);
    public IReadOnlyList<ServiceProcess> SmsCouriers => Processes.Couriers(StackChannels.Sms);
    public IReadOnlyList<ServiceProcess> EmailCouriers => Processes.Couriers(StackChannels.Email);

    /// <summary>Every API instance: <see cref="Api"/> first, then those of <see cref="StartApiInstanceAsync"/>.</summary>
    public IReadOnlyList<ServiceProcess> Apis => Processes.Apis;

    /// <summary>
    /// Starts the sandbox, then the API and the couriers side by side: <paramref name="couriers"/> Telegram
    /// couriers, and one VK courier (<paramref name="vk"/>) and one SMS courier (<paramref name="sms"/>, SMS
    /// Gateway for Android) and one email courier (<paramref name="email"/>, the sandbox's SMTP server) against the
    /// sandbox. <paramref name="sandbox"/> adds sandbox settings (e.g. <c>Sandbox__Sms__FailDeliveryNumbers</c>).
    /// Returns once every service is ready, every courier's heartbeat is in Redis and, with SMS, the courier has
    /// registered the gateway's webhooks.
    /// </summary>
    /// <param name="bot">The API's Telegram bot against the sandbox: null (off), <c>polling</c> or <c>webhook</c>.</param>
    /// <param name="api">More API settings (e.g. <c>Limits__Teacher__MessagesPerHour</c>).</param>
    public static async Task<AdaStack> StartAsync(IRedisEndpoint redis, int couriers = 1, bool vk = false, bool sms = false,
        IReadOnlyDictionary<string, string>? sandbox = null, int sweepSeconds = 1, bool email = false, string? bot = null,
        IReadOnlyDictionary<string, string>? api = null)
    {
        var apiSettings = new Dictionary<string, string>();
        if (bot is not null)
        {
            apiSettings["Telegram__PollSeconds"] = "2";
            apiSettings["Telegram__PollerLeaseSeconds"] = "3";
        }
        foreach (var (key, value) in api ?? new Dictionary<string, string>())
        {
            apiSettings[key] = value;
        }
        var processes = await AdaProcesses.StartAsync(new AdaProcessesOptions
        {
            Redis = await redis.NewTargetAsync(),
            Secrets = StackSecrets.Generate() with { AdminToken = AdminToken, TelegramWebhookSecret = TelegramWebhookSecret },
            SandboxSettings = sandbox is null ? [] : new Dictionary<string, string>(sandbox),
            Couriers = new()
            {
                [StackChannels.Telegram] = couriers,
                [StackChannels.Vk] = vk ? 1 : 0,
                [StackChannels.Sms] = sms ? 1 : 0,
                [StackChannels.Email] = email ? 1 : 0,
            },
            CourierSettings = new() { ["Courier__SweepSeconds"] = sweepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Unpaced = true,
            ApiSettings = apiSettings,
            Bot = bot,
        });
        return new AdaStack(processes, sweepSeconds);
    }

    /// <summary>One more API instance on the same Redis, configured as the first but for the settings in <paramref name="more"/>.</summary>
    public Task<ServiceProcess> StartApiInstanceAsync(IReadOnlyDictionary<string, string>? more = null) =>
        Processes.StartApiInstanceAsync(more);

    public Task<ServiceProcess> StartCourierAsync() => Processes.StartCourierAsync(StackChannels.Telegram);

    /// <summary>A VK courier against the sandbox's VK API, unpaced.</summary>
    public Task<ServiceProcess> StartVkCourierAsync() => Processes.StartCourierAsync(StackChannels.Vk);

    /// <summary>An SMS courier against the sandbox's SMS Gateway for Android (local server), unpaced; it registers the webhooks to the API.</summary>
    public Task<ServiceProcess> StartSmsCourierAsync() => Processes.StartCourierAsync(StackChannels.Sms);

    /// <summary>An email courier against the sandbox's SMTP server, plain SMTP, unpaced.</summary>
    public Task<ServiceProcess> StartEmailCourierAsync() => Processes.StartCourierAsync(StackChannels.Email);

    /// <summary>A client of the sandbox with the control token, on <paramref name="handler"/>.</summary>
    public HttpClient SandboxClient(HttpMessageHandler handler) => Processes.SandboxClient(handler);

    /// <summary>A client of the first API instance, or of <paramref name="api"/>, acting with <paramref name="token"/>.</summary>
    public HttpClient Client(string token, ServiceProcess? api = null) => Processes.ApiClient(token, api: api);

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
        await Processes.DisposeAsync();
        Admin.Dispose();
        SandboxHttp.Dispose();
    }
}
