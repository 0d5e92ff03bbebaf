namespace Ada.Api.Tests;

/// <summary>One fresh API (own Redis database) per test; apps with other settings are made with <see cref="NewAppAsync"/>.</summary>
public abstract class ApiTest(RedisServer redis) : IAsyncLifetime
{
    private readonly List<AdaApplication> _apps = [];

    protected AdaApplication App { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await NewAppAsync();
        Admin = App.Client();
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    protected async Task<AdaApplication> NewAppAsync(IReadOnlyDictionary<string, string?>? settings = null, bool telegramAlive = true)
    {
        var app = new AdaApplication(redis, settings);
        _apps.Add(app);
        return await app.StartAsync(telegramAlive);
    }

    /// <summary>The Redis connection string of <paramref name="app"/>'s database: give it to a second instance that shares it.</summary>
    protected string RedisOf(AdaApplication app) => redis.ConnectionString(app.Database);

    protected static StringContent Json(string json) => AdaApplication.Json(json);

    protected static Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) => AdaApplication.ReadJsonAsync(response);

    /// <summary>Asserts the status and that the answer is a problem document; returns it.</summary>
    protected static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    protected static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString()!;

    /// <summary>No key of a queued message exists in <paramref name="app"/>'s database: nothing was written.</summary>
    protected static async Task AssertNothingQueuedAsync(AdaApplication app)
    {
        var keys = await app.KeysAsync();
        var written = keys.Where(k => new[] { "history:", "delivery:", "recipients:", "answer:", "due:", "quota:", "sent:", "messages:" }
            .Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        Assert.True(written.Count == 0, "written: " + string.Join(", ", written));
    }
}
