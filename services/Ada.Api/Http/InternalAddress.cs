namespace Ada.Api.Http;

/// <summary>
/// <c>Ada:InternalUrls</c> (e.g. <c>http://10.0.0.5:9100</c>, several separated by <c>;</c>): addresses the API
/// listens on besides <c>--urls</c>, for monitoring and integrators only. When set, <c>/metrics</c> and
/// <c>/openapi/*</c> answer only on a connection to one of their ports and 404 on every other one, so a public
/// reverse proxy cannot expose them by mistake; when unset they answer on every address, as before. The
/// decision is the connection's local port (what Kestrel accepted it on), never the Host header, which the
/// caller chooses.
/// </summary>
public static class InternalAddress
{
    public const string Setting = "Ada:InternalUrls";

    /// <summary>Listens on the internal URLs too; fails at start with what to set when one is not a URL with a port.</summary>
    public static WebApplicationBuilder AddInternalUrls(this WebApplicationBuilder builder)
    {
        var urls = Parse(builder.Configuration[Setting]);
        if (urls.Count == 0)
        {
            return builder;
        }
        var listening = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : "http://localhost:5000";
        builder.WebHost.UseUrls([.. listening.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            .. urls.Select(u => u.OriginalString)]);
        return builder;
    }

    /// <summary>Before routing: <c>/metrics</c> and <c>/openapi/*</c> on a non-internal port are 404.</summary>
    public static IApplicationBuilder UseInternalOnlyPaths(this WebApplication app)
    {
        var ports = Parse(app.Configuration[Setting]).Select(u => u.Port).ToHashSet();
        if (ports.Count == 0)
        {
            return app;
        }
        return app.Use(async (context, next) =>
        {
            if (IsInternalPath(context.Request.Path) && !ports.Contains(context.Connection.LocalPort))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(context);
        });
    }

    public static bool IsInternalPath(PathString path) =>
        path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

    private static List<Uri> Parse(string? value)
    {
        var urls = new List<Uri>();
        foreach (var part in (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
                || !part.Contains($":{url.Port}", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Ada__InternalUrls '{part}' is not an http(s) URL with a port; set it like http://127.0.0.1:9100 (several separated by ';').");
            }
            urls.Add(url);
        }
        return urls;
    }
}
