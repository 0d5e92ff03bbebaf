extern alias sandbox;

using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using InboxPageView = sandbox::Ada.Sandbox.InboxPageView;
using InboxSummary = sandbox::Ada.Sandbox.InboxSummary;
using SandboxProgram = sandbox::Program;
using SandboxStatsView = sandbox::Ada.Sandbox.SandboxStatsView;
using VkCountersSnapshot = sandbox::Ada.Sandbox.Vk.VkCountersSnapshot;

namespace Ada.Couriers.Vk.Tests;

/// <summary>The VK API emulator (services/Ada.Sandbox) in memory, one per test so limits, faults and counters never leak.</summary>
public sealed class VkSandbox : WebApplicationFactory<SandboxProgram>
{
    public const string Token = "vk1.a.community-token";

    public VkOptions Options(Action<VkOptions>? configure = null)
    {
        var options = new VkOptions { Token = Token, BaseUrl = new Uri(Server.BaseAddress, "/method/").ToString(), RequestAttempts = 3 };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The courier's client, on an HttpClient into the in-memory server.</summary>
    public VkApiClient Client(VkOptions options)
    {
        var http = CreateClient();
        http.Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        return new VkApiClient(http, options);
    }

    public async Task PutAsync(string path, object body)
    {
        using var http = CreateClient();
        using var response = await http.PutAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    public Task SetPeerAsync(long peerId, string state) => PutAsync($"/sandbox/vk/peers/{peerId}", new { state });

    /// <summary>The VK inbox (the sandbox's own view of it), all of it or one peer's.</summary>
    public async Task<InboxPageView> ReadInboxAsync(string? chatId = null)
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<InboxPageView>($"/sandbox/inbox?channel=vk&limit=100000{(chatId is null ? "" : "&chatId=" + chatId)}"))!;
    }

    public async Task<InboxSummary> SummaryAsync()
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<InboxSummary>("/sandbox/inbox/summary?channel=vk"))!;
    }

    public async Task<VkCountersSnapshot> StatsAsync()
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<SandboxStatsView>("/sandbox/stats"))!.Vk;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.Authorized();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Sandbox:Vk:Token", Token);
        builder.UseSetting("Sandbox:ControlToken", SandboxControl.Token);
    }
}
