extern alias sandbox;

using System.Net.Http.Json;
using System.Security.Cryptography;

namespace Ada.Couriers.Vk.Tests;

/// <summary>
/// Issue 14, point 8: a courier as it is deployed (its own process) against Redis as
/// <c>deploy/redis.production.conf</c> sets it up — the default user off, Ada's ACL user with a password. With
/// <c>user=ada,password=…</c> in <c>ConnectionStrings__Redis</c> it delivers; without the password, or with a
/// wrong one, it stops at start and says why and what to set — never silently, never printing the password.
/// </summary>
public sealed class RedisAclCourierTests : IAsyncLifetime
{
    private const string Token = "vk1.a.acl-token";
    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartWithAdaUserAsync(_password);

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Courier_WithTheAdaUserAndPassword_Delivers()
    {
        await using var database = await TestDatabase.OpenAsync(_redis);
        await using var sandbox = await ServiceProcess.StartAsync("Ada.Sandbox", new Dictionary<string, string>
        {
            [SandboxControl.Variable] = SandboxControl.Token,
            ["Sandbox__Vk__Token"] = Token,
        });
        await using var courier = await ServiceProcess.StartAsync("Ada.Couriers.Vk", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = database.ConnectionString,
            ["Vk__Token"] = Token,
            ["Vk__BaseUrl"] = new Uri(sandbox.BaseAddress, "/method/").ToString(),
        });
        Assert.Contains("user=ada,password=", database.ConnectionString, StringComparison.Ordinal);
        await VkMessages.AddContactsAsync(database, 3);

        var history = await VkMessages.EnqueueAsync(database, VkMessages.Students(3), "Пара в ауд. 214");

        var done = await VkMessages.WaitDoneAsync(database, history.Id, TimeSpan.FromSeconds(60));
        Assert.Equal(3, done.Channels[Channels.Vk].Sent);
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress }.Authorized();
        var inbox = (await http.GetFromJsonAsync<sandbox::Ada.Sandbox.InboxPageView>("/sandbox/inbox?channel=vk"))!;
        Assert.Equal(3, inbox.Messages.Count(m => m.Text.Contains("Пара в ауд. 214", StringComparison.Ordinal)));
        Assert.DoesNotContain(_password, courier.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",user=ada,password=wrong-password")]
    public async Task Courier_WithoutThePassword_StopsAtStart_AndSaysWhy(string credentials)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("Ada.Couriers.Vk",
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = $"{_redis.Host}:{_redis.Port},abortConnect=false,connectTimeout=1000{credentials}",
                ["Redis__StartupTimeoutSeconds"] = "3",
                ["Vk__Token"] = Token,
                ["Vk__BaseUrl"] = "http://127.0.0.1:9/method/",
            }));

        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("Redis is not reachable", error.Message, StringComparison.Ordinal);
        Assert.Contains("AuthenticationFailure", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Redis", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error.Message, StringComparison.Ordinal);
    }
}
