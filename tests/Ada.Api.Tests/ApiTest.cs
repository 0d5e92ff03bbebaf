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
}
