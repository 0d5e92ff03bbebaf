namespace Ada.Api.Tests;

/// <summary>
/// One API per test with the SMS webhooks configured, an SMS courier alive and the SMS directory seeded
/// (<see cref="SmsGatewayClient.SeedAsync"/>). Not an <see cref="ApiTest"/>: that one starts an app without
/// the signing key, and every app takes one of the shared redis-server's 255 databases.
/// </summary>
public abstract class SmsApiTest(RedisServer redis) : IAsyncLifetime
{
    public const string Teacher = "+79990000001";

    private readonly List<AdaApplication> _apps = [];

    protected AdaApplication App { get; private set; } = null!;

    protected SmsGatewayClient Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => (App, Gateway) = await StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Another API (other settings, or an SMS cap of <paramref name="maxSegments"/>), seeded the same way.</summary>
    protected async Task<(AdaApplication App, SmsGatewayClient Gateway)> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, int? maxSegments = 3, bool withSigningKey = true)
    {
        var all = new Dictionary<string, string?>(withSigningKey ? SmsGatewayClient.Settings : new Dictionary<string, string?>());
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        var app = new AdaApplication(redis, all);
        _apps.Add(app);
        await app.StartAsync();
        var gateway = new SmsGatewayClient(app);
        await gateway.SmsCourierAliveAsync(maxSegments);
        await gateway.SeedAsync();
        return (app, gateway);
    }

    /// <summary>Replaces the SMS courier's published cap.</summary>
    protected Task CapAsync(int? maxSegments) => Gateway.SmsCourierAliveAsync(maxSegments);
}
