extern alias sandbox;

using System.Net.Http.Json;
using SandboxStatsView = sandbox::Ada.Sandbox.SandboxStatsView;

namespace Ada.Couriers.Vk.Tests;

/// <summary>The VK courier as it is deployed: its own process, configured by environment variables, against the sandbox process.</summary>
[Collection(RedisCollection.Name)]
public sealed class VkCourierProcessTests(RedisServer redis)
{
    private const string Token = "vk1.a.process-token";

    [Fact]
    public async Task Start_WithoutToken_RefusesAndNamesTheSetting()
    {
        await using var database = await TestDatabase.OpenAsync(redis);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("Ada.Couriers.Vk",
            new Dictionary<string, string> { ["ConnectionStrings__Redis"] = database.ConnectionString }));

        Assert.Contains("Vk__Token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Courier_AsAProcess_DeliversThroughTheSandboxAndRecordsRefusals()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        await using var sandbox = await ServiceProcess.StartAsync("Ada.Sandbox", new Dictionary<string, string>
        {
            [SandboxControl.Variable] = SandboxControl.Token,
            ["Sandbox__Vk__Token"] = Token,
            ["Sandbox__Vk__NotAllowedPeers"] = $"{VkMessages.PeerOf(2)},{VkMessages.PeerOf(2999)}",
        });
        await using var courier = await ServiceProcess.StartAsync("Ada.Couriers.Vk", new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = database.ConnectionString,
            ["Vk__Token"] = Token,
            ["Vk__BaseUrl"] = $"http://127.0.0.1:{sandbox.Port}/method/",
        });
        await VkMessages.AddContactsAsync(database, 3_000);

        var history = await VkMessages.EnqueueAsync(database, VkMessages.Students(3_000), "Занятия переносятся в ауд. 305");

        var done = await VkMessages.WaitDoneAsync(database, history.Id, TimeSpan.FromSeconds(60));
        Assert.Equal((2_998, 2), (done.Channels[Channels.Vk].Sent, done.Channels[Channels.Vk].Failed));
        Assert.Contains("has not allowed messages from the community", (await VkMessages.ReceiptAsync(database, history.Id, "s2999")).Detail,
            StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress }.Authorized();
        var stats = (await http.GetFromJsonAsync<SandboxStatsView>("/sandbox/stats"))!.Vk;
        Assert.Equal((2, 2_998), (stats.Requests, stats.Sent));
        Assert.DoesNotContain(Token, courier.Output, StringComparison.Ordinal);
    }
}
