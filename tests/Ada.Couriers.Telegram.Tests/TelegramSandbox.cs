extern alias sandbox;

using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Telegram.Bot;
using InboxPageView = sandbox::Ada.Sandbox.InboxPageView;
using SandboxProgram = sandbox::Program;

namespace Ada.Couriers.Telegram.Tests;

/// <summary>The Telegram Bot API emulator (services/Ada.Sandbox) in memory, one per test so limits and faults never leak.</summary>
public sealed class TelegramSandbox : WebApplicationFactory<SandboxProgram>
{
    public const string Token = "123456:TEST-token";

    /// <summary>The real Telegram.Bot client as the courier configures it (no retries inside the library).</summary>
    public ITelegramBotClient CreateBot(TimeSpan? timeout = null)
    {
        var http = CreateClient();
        http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
        return new TelegramBotClient(new TelegramBotClientOptions(Token, http.BaseAddress!.ToString()) { RetryThreshold = 0 }, http);
    }

    public async Task PutAsync(string path, object body)
    {
        using var http = CreateClient();
        using var response = await http.PutAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The Telegram inbox (the sandbox's own view of it), all of it or one chat's.</summary>
    public async Task<InboxPageView> ReadInboxAsync(string? chatId = null)
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<InboxPageView>($"/sandbox/inbox?channel=telegram{(chatId is null ? "" : "&chatId=" + chatId)}"))!;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.Authorized();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Sandbox:ControlToken", SandboxControl.Token);
    }
}
