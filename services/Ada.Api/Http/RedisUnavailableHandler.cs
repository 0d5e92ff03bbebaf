using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace Ada.Api.Http;

/// <summary>Redis down or slow is the one expected 5xx: 503 with a problem that says so, instead of a bare 500.</summary>
public sealed class RedisUnavailableHandler(IProblemDetailsService problems, ILogger<RedisUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception))
        {
            return false;
        }
        logger.LogError(exception, "Redis is not available for {Path}", httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Detail = "Redis is not reachable; retry shortly." },
        });
    }

    /// <summary>Down, slow, or refusing writes for now: loading its data, a replica after a failover, cut off from its replicas.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException e => e.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || e.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || e.Message.StartsWith("NOREPLICAS", StringComparison.Ordinal)
            || e.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            // Redis Cluster: a slot mid-migration (a script's keys split between two nodes) or the cluster down.
            || e.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal),
        _ => false,
    };
}
