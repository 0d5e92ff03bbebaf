using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ada.Testing;

namespace Ada.EndToEnd.Tests;

/// <summary>The whole of Ada as real processes: the sandbox, the API and the Telegram courier, on one Redis database.</summary>
public sealed class AdaStack : IAsyncDisposable
{
    public const string AdminToken = "e2e-admin-token-0123456789";
    private readonly List<ServiceProcess> _couriers = [];

    private AdaStack(RedisServer redis, int database, ServiceProcess sandbox, ServiceProcess api)
    {
        Redis = redis;
        Database = database;
        Sandbox = sandbox;
        Api = api;
        Admin = Client(AdminToken);
        SandboxHttp = new HttpClient { BaseAddress = sandbox.BaseAddress };
    }

    public RedisServer Redis { get; }
    public int Database { get; }
    public ServiceProcess Sandbox { get; }
    public ServiceProcess Api { get; }
    public HttpClient Admin { get; }
    public HttpClient SandboxHttp { get; }
    public IReadOnlyList<ServiceProcess> Couriers => _couriers;

    public static async Task<AdaStack> StartAsync(RedisServer redis, int couriers = 1)
    {
        var database = redis.NextDatabase();
        var sandbox = await ServiceProcess.StartAsync("Ada.Sandbox", new Dictionary<string, string>());
        var stack = new AdaStack(redis, database, sandbox, null!);
        for (var i = 0; i < couriers; i++)
        {
            await stack.StartCourierAsync();
        }
        var api = await ServiceProcess.StartAsync("Ada.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = redis.ConnectionString(database),
            ["Ada__AdminToken"] = AdminToken,
            ["Scheduling__QuietHours"] = "",
        });
        var ready = new AdaStack(redis, database, sandbox, api);
        ready._couriers.AddRange(stack._couriers);
        return ready;
    }

    public async Task<ServiceProcess> StartCourierAsync()
    {
        var courier = await ServiceProcess.StartAsync("Ada.Couriers.Telegram", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString(Database),
            ["Telegram__Token"] = "123456:E2E-TEST",
            ["Telegram__BaseUrl"] = Sandbox.BaseAddress.ToString(),
            ["Telegram__MessagesPerSecond"] = "0",
            ["Courier__SweepSeconds"] = "1",
        });
        _couriers.Add(courier);
        return courier;
    }

    public HttpClient Client(string token)
    {
        var http = new HttpClient { BaseAddress = Api?.BaseAddress ?? new Uri("http://127.0.0.1"), Timeout = TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<string> TokenForAsync(string userId)
    {
        using var response = await Admin.PostAsJsonAsync("/v1/tokens", new { userId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    public async Task<JsonArray> InboxAsync(string? chatId = null)
    {
        var url = "/sandbox/inbox?channel=telegram&limit=100000" + (chatId is null ? "" : $"&chatId={chatId}");
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
        foreach (var courier in _couriers)
        {
            await courier.DisposeAsync();
        }
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }
        await Sandbox.DisposeAsync();
        Admin.Dispose();
        SandboxHttp.Dispose();
    }
}
