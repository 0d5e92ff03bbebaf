using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ada.Core.Redis;

public static class RedisSetup
{
    public const string DefaultConnectionString = "127.0.0.1:6379";

    /// <summary>
    /// One shared multiplexer per process (as StackExchange.Redis asks), started without aborting so a
    /// service comes up while Redis is still starting and reconnects by itself after a restart.
    /// </summary>
    /// <param name="socketsOnThreadPool">
    /// Read Redis's replies on the .NET thread pool instead of StackExchange.Redis's own socket threads: each reply
    /// then runs its continuation where it was read, without waking a second thread. The API does (under
    /// <c>POST /v1/queue</c> load on two cores it cut the API's CPU per request by about a third: README, "Benchmark");
    /// the couriers keep the dedicated threads until it is measured on the lag.
    /// </param>
    public static IServiceCollection AddAdaRedis(this IServiceCollection services, IConfiguration configuration,
        bool socketsOnThreadPool = false)
    {
        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = ConfigurationOptions.Parse(configuration.GetConnectionString("Redis") ?? DefaultConnectionString);
            options.AbortOnConnectFail = false;
            // KeyspaceEvents reads and sets notify-keyspace-events; StackExchange.Redis refuses CONFIG without admin mode.
            options.AllowAdmin = true;
            options.ClientName ??= AppDomain.CurrentDomain.FriendlyName;
            if (socketsOnThreadPool)
            {
                options.SocketManager = SocketManager.ThreadPool;
            }
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton<AdaScripts>();
        services.AddSingleton<KeyspaceEvents>();
        services.AddHostedService<RedisStartup>();
        return services;
    }

    /// <summary>The database all of Ada's keys live in (from the connection string's defaultDatabase).</summary>
    public static int Database(this IConnectionMultiplexer mux) =>
        ConfigurationOptions.Parse(mux.Configuration).DefaultDatabase ?? 0;

    public static IDatabase Db(this IConnectionMultiplexer mux) => mux.GetDatabase();
}

/// <summary>
/// At start: waits for Redis, then turns keyspace events on and verifies them, stopping the service
/// with a message that says what to configure when it cannot. After every reconnect it checks again,
/// since a restarted Redis forgets a CONFIG SET that is not in its redis.conf, and after every change of
/// a cluster's topology, since a node that joins or is promoted may not have them.
/// </summary>
internal sealed class RedisStartup(IConnectionMultiplexer mux, KeyspaceEvents keyspace, IConfiguration configuration,
    ILogger<RedisStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(configuration.GetValue("Redis:StartupTimeoutSeconds", 60));
        var deadline = DateTime.UtcNow + timeout;
        var endpoints = string.Join(",", mux.GetEndPoints().Select(e => e.ToString()));
        // The last failure's type (e.g. AuthenticationFailure) says why; the endpoints, not the connection string, which holds the password.
        ConnectionFailedEventArgs? lastFailure = null;
        void OnFailed(object? sender, ConnectionFailedEventArgs e) => lastFailure = e;
        mux.ConnectionFailed += OnFailed;
        try
        {
            while (!mux.IsConnected)
            {
                if (DateTime.UtcNow > deadline)
                {
                    var failure = lastFailure?.FailureType ?? await ProbeAsync();
                    throw new InvalidOperationException(
                        $"Redis is not reachable at {endpoints} after {timeout.TotalSeconds:0} s" + Why(failure) +
                        ". Start redis-server or set ConnectionStrings__Redis (with a password: user=…,password=…).");
                }
                logger.LogWarning("Waiting for Redis at {Endpoints}", endpoints);
                await Task.Delay(500, cancellationToken);
            }
        }
        finally
        {
            mux.ConnectionFailed -= OnFailed;
        }
        await keyspace.EnsureAsync();
        mux.ConnectionRestored += OnRestored;
        mux.ConfigurationChanged += OnTopologyChanged;
    }

    /// <summary>
    /// Why the shared connection never came up, when it raised no ConnectionFailed after this service subscribed
    /// (its first attempt fails before, and the next reconnect can be seconds away): one more connection that
    /// gives up at once says (e.g. AuthenticationFailure for a wrong or missing password).
    /// </summary>
    private async Task<ConnectionFailureType?> ProbeAsync()
    {
        var options = ConfigurationOptions.Parse(configuration.GetConnectionString("Redis") ?? RedisSetup.DefaultConnectionString);
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        try
        {
            await using var probe = await ConnectionMultiplexer.ConnectAsync(options);
            return null;
        }
        catch (RedisConnectionException e)
        {
            return e.FailureType;
        }
    }

    private static string Why(ConnectionFailureType? failure) => failure switch
    {
        null => "",
        ConnectionFailureType.AuthenticationFailure =>
            " (AuthenticationFailure: Redis refused the user or password; check user= and password= in ConnectionStrings__Redis)",
        _ => $" ({failure})",
    };

    public Task StopAsync(CancellationToken cancellationToken)
    {
        mux.ConnectionRestored -= OnRestored;
        mux.ConfigurationChanged -= OnTopologyChanged;
        return Task.CompletedTask;
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            Recheck(e.EndPoint, "a reconnect");
        }
    }

    private void OnTopologyChanged(object? sender, EndPointEventArgs e) => Recheck(e.EndPoint, "a topology change");

    private void Recheck(System.Net.EndPoint? endPoint, string reason) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await keyspace.EnsureAsync();
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Keyspace events could not be re-enabled after {Reason} ({Endpoint})", reason, endPoint);
            }
        });
}
