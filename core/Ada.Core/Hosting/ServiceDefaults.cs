using Ada.Core.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prometheus;
using StackExchange.Redis;

namespace Ada.Core.Hosting;

/// <summary>What every Ada service has: Redis, keyspace events checked at start, health, metrics, logs.</summary>
public static class ServiceDefaults
{
    /// <param name="redisOnThreadPool">See <see cref="RedisSetup.AddAdaRedis"/>: the API reads Redis on the thread pool.</param>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, bool redisOnThreadPool = false)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddAdaRedis(builder.Configuration, redisOnThreadPool);
        builder.Services.AddHealthChecks()
            .AddCheck<RedisReadyCheck>("redis", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Settings bound from <paramref name="section"/>, checked against their annotations when the service starts: a
    /// misconfigured service stops at once with the message that says what to set.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    /// <summary><c>/health/live</c>, <c>/health/ready</c> and Prometheus <c>/metrics</c>, all without a token.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapMetrics("/metrics");
        return app;
    }
}

internal sealed class RedisReadyCheck(IConnectionMultiplexer mux, KeyspaceEvents keyspace) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await mux.GetDatabase().PingAsync();
            return await keyspace.AreOnAsync()
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"notify-keyspace-events lacks '{KeyspaceEvents.Required}'");
        }
        catch (RedisException e)
        {
            return HealthCheckResult.Unhealthy("Redis is not reachable", e);
        }
    }
}
