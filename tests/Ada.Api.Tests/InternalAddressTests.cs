using Microsoft.AspNetCore.Http;

namespace Ada.Api.Tests;

/// <summary>
/// Issue 14, point 8: with <c>Ada:InternalUrls</c>, <c>/metrics</c> and the OpenAPI document answer only on a
/// connection to the internal port (Kestrel's local port, set here on the test server's connection), 404 elsewhere.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class InternalAddressTests(RedisServer redis)
{
    private const int InternalPort = 17391;
    private const int PublicPort = 17390;

    private static async Task<HttpStatusCode> GetAsync(AdaApplication app, string path, int localPort, string? host = null)
    {
        var context = await app.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = path;
            c.Request.Host = new HostString(host ?? $"127.0.0.1:{localPort}");
            c.Connection.LocalPort = localPort;
        });
        return (HttpStatusCode)context.Response.StatusCode;
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    public async Task InternalPathsWithInternalUrls_AnswerOnlyOnTheInternalPort(string path)
    {
        await using var app = await new AdaApplication(redis, new Dictionary<string, string?>
        {
            ["Ada:InternalUrls"] = $"http://127.0.0.1:{InternalPort}",
        }).StartAsync();

        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, path, InternalPort));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(app, path, PublicPort));
        // The Host header is the caller's to choose: naming the internal address does not help.
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(app, path, PublicPort, host: $"127.0.0.1:{InternalPort}"));
        // Everything else still answers on the public address.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/health/live", PublicPort));
    }

    [Fact]
    public async Task WithoutInternalUrls_MetricsAnswerOnEveryAddress()
    {
        await using var app = await new AdaApplication(redis).StartAsync();

        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/metrics", PublicPort));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/openapi/v1.json", PublicPort));
    }

    [Fact]
    public async Task InternalUrlWithoutAPort_StopsTheApiWithWhatToSet()
    {
        await using var app = new AdaApplication(redis, new Dictionary<string, string?> { ["Ada:InternalUrls"] = "internal-host" });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains("Ada__InternalUrls", error.ToString(), StringComparison.Ordinal);
    }
}
