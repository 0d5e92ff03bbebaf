namespace Ada.Api.Web;

/// <summary>
/// The teacher web app (Blazor WebAssembly, project <c>services/Ada.Web</c>) served by the API itself at
/// <c>/</c>: same origin, so the session cookie and the tracker's event stream need no CORS.
/// </summary>
public static class WebApp
{
    /// <summary>
    /// Static web assets are read from the build's manifest in every environment, not only in Development:
    /// a <c>bin/</c> run (the tests, deploy/run.sh) then serves the client as a published one does (where
    /// the manifest is absent and the files sit in wwwroot).
    /// </summary>
    public static WebApplicationBuilder AddWebApp(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    /// <summary>The client's files, and index.html for any path that is not the API's (client-side routes).</summary>
    public static WebApplication MapWebApp(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapFallbackToFile("/", "index.html");
        app.MapFallbackToFile("{*path:regex(^(?!v1/|v1$|openapi/|health/|metrics).*$)}", "index.html");
        return app;
    }
}
