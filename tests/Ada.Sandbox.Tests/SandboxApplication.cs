using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Telegram.Bot;

namespace Ada.Sandbox.Tests;

/// <summary>The sandbox in memory, one per test so rate limits and faults never leak between tests.</summary>
public sealed class SandboxApplication(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    public const string Token = "123456:TEST-token_abc";

    public TelegramBotClient CreateBot(string token = Token)
    {
        var http = CreateClient();
        var options = new TelegramBotClientOptions(token, baseUrl: http.BaseAddress!.ToString()) { RetryThreshold = 0 };
        return new TelegramBotClient(options, http);
    }

    public async Task PutAsync(string path, object body)
    {
        using var http = CreateClient();
        using var response = await http.PutAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    public async Task<InboxPageView> ReadInboxAsync(string query = "")
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<InboxPageView>($"/sandbox/inbox{query}"))!;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(
            settings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value))));
}

public static class Eventually
{
    /// <summary>Polls until the condition holds, failing the test once the deadline passes.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Not within {deadline}: {what}");
            }

            await Task.Delay(50);
        }
    }
}
