using System.Security.Cryptography;

namespace Ada.Api.Tests;

/// <summary>
/// Issue 14, point 8: Redis as deploy/redis.production.conf sets it up — the default user off, an ACL user
/// <c>ada</c> with a password — runs the API with <c>user=ada,password=…</c> in the connection string, and
/// does not start without it (the start fails with what to set, and never prints the password). The ACL line is read from the conf itself, so the test follows the file.
/// </summary>
public sealed class RedisPasswordTests : IAsyncLifetime
{
    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartWithAdaUserAsync(_password);

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task WithTheAdaUser_TheApiQueuesAndIsReady()
    {
        await using var app = await new AdaApplication(_redis).StartAsync();
        using var admin = app.Client();

        await app.PutAsync("/v1/users/u1", """{"name":"u1","role":"student","contacts":{"telegram":"1001"}}""");
        using var queued = await admin.PostAsync("/v1/queue", AdaApplication.Json("""{"text":"hi","to":{"users":["u1"]}}"""));
        using var ready = await admin.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // What the ACL keeps from Ada's user: the admin and dangerous commands.
        var noPermission = await Assert.ThrowsAsync<RedisServerException>(() => app.Db.ExecuteAsync("FLUSHALL"));
        Assert.StartsWith("NOPERM", noPermission.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",user=ada,password=wrong")]
    public async Task WithoutThePassword_TheApiDoesNotStart_AndSaysWhy(string credentials)
    {
        await using var app = new AdaApplication(_redis, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"{_redis.Host}:{_redis.Port},abortConnect=false,connectTimeout=1000{credentials}",
            ["Redis:StartupTimeoutSeconds"] = "3",
        });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains("Redis is not reachable", error.Message, StringComparison.Ordinal);
        Assert.Contains("AuthenticationFailure", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Redis", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("password=wrong", error.ToString(), StringComparison.Ordinal);
    }
}
