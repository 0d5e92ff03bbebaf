using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Ada.Api.Tests;

/// <summary>
/// The API in memory over its own database of the shared redis-server, with a fake Telegram courier
/// heartbeat so a channel is alive. Quiet hours are off unless a test turns them on.
/// </summary>
public sealed class AdaApplication(RedisServer redis, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token-0123456789abcdef";

    public int Database { get; } = redis.NextDatabase();

    /// <summary>The API's clock when a test sets one (e.g. a night with a daylight-saving change); else the system's.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Every line the API logged at Warning or above (the level tests run at), as "Category: message".</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    public IDatabase Db => Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    public IServer RedisServer => Services.GetRequiredService<IConnectionMultiplexer>().GetServers()[0];

    /// <summary>Starts the host and beats for Telegram, so queued messages expect that channel.</summary>
    public async Task<AdaApplication> StartAsync(bool telegramAlive = true)
    {
        _ = Services;
        if (telegramAlive)
        {
            await Services.GetRequiredService<CourierRegistry>().BeatAsync(Channels.Telegram, "test");
        }
        return this;
    }

    public HttpClient Client(string? token = AdminToken)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>Creates (or replaces) a user through the API and returns a token acting as them.</summary>
    public async Task<string> UserAsync(string id, string role, string contacts = """{"telegram":"1001"}""")
    {
        using var admin = Client();
        using var put = await admin.PutAsync($"/v1/users/{id}", Json($$"""{"name":"{{id}}","role":"{{role}}","contacts":{{contacts}}}"""));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        using var post = await admin.PostAsync("/v1/tokens", Json($$"""{"userId":"{{id}}"}"""));
        Assert.True(post.IsSuccessStatusCode, await post.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(post)).GetProperty("token").GetString()!;
    }

    public async Task PutAsync(string path, string json)
    {
        using var admin = Client();
        using var response = await admin.PutAsync(path, Json(json));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A small directory: teacher t1 owns group g1 (u1, u2) and supergroup sg1 (g1); staff st1 owns g2 (u3);
    /// student s1. Returns the tokens of t1, st1 and s1.
    /// </summary>
    public async Task<(string Teacher, string Staff, string Student)> SeedAsync()
    {
        var teacher = await UserAsync("t1", "teacher");
        var staff = await UserAsync("st1", "staff");
        var student = await UserAsync("s1", "student");
        foreach (var u in new[] { "u1", "u2", "u3" })
        {
            await PutAsync($"/v1/users/{u}", $$"""{"name":"{{u}}","role":"student","contacts":{"telegram":"2{{u[1]}}"} }""");
        }
        await PutAsync("/v1/groups/g1", """{"name":"Group 1","members":["u1","u2"],"owners":["t1"]}""");
        await PutAsync("/v1/groups/g2", """{"name":"Group 2","members":["u3"],"owners":["st1"]}""");
        await PutAsync("/v1/supergroups/sg1", """{"name":"Stream 1","groups":["g1"],"owners":["t1"]}""");
        return (teacher, staff, student);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"{(int)response.StatusCode}: not JSON: {text}");
            throw;
        }
    }

    /// <summary>Every key of this test's database but the courier heartbeats and the channel registry.</summary>
    public async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        await foreach (var key in RedisServer.KeysAsync(Database, "*"))
        {
            if (!key.ToString().StartsWith("couriers:", StringComparison.Ordinal) && key != Ada.Core.Keys.ChannelRegistry)
            {
                keys.Add(key.ToString());
            }
        }
        return keys;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString(Database),
            ["Ada:AdminToken"] = AdminToken,
            ["Scheduling:QuietHours"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        foreach (var (key, value) in all)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(new ListLoggerProvider(Logs)));
        if (Clock is { } clock)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(clock));
        }
    }
}

/// <summary>Collects log lines in memory, so a test can check what the API wrote to its log.</summary>
public sealed class ListLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)}");
    }
}
