using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ada.Sandbox.Tests;

/// <summary>The sandbox in memory, one per test so rate limits and faults never leak between tests.</summary>
public sealed class SandboxApplication(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    public const string Token = "123456:TEST-token_abc";

    /// <summary>The control API's token (<c>Sandbox:ControlToken</c>); every client this factory makes sends it.</summary>
    public const string ControlToken = "test-sandbox-control-token";

    /// <summary>A client without the control token, to show what a stranger gets.</summary>
    public HttpClient CreateClientWithoutControlToken()
    {
        var http = CreateClient();
        http.DefaultRequestHeaders.Remove(Sandbox.ControlToken.Header);
        return http;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(Sandbox.ControlToken.Header, ControlToken);
    }

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

    /// <summary>POSTs to the control API and returns its JSON answer, failing unless it is a success.</summary>
    public async Task<JsonElement> PostAsync(string path, object? body = null)
    {
        using var http = CreateClient();
        using var response = await http.PostAsJsonAsync(path, body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A person of a private chat writes a text; answers the update id (null when not subscribed).</summary>
    public async Task<int?> WriteAsync(long chatId, string text, object? profile = null)
    {
        var body = JsonSerializer.SerializeToElement(profile ?? new { }, JsonSerializerOptions.Web).EnumerateObject()
            .ToDictionary(property => property.Name, property => (object?)property.Value);
        body["text"] = text;
        var answer = await PostAsync($"/sandbox/telegram/chats/{chatId}/messages", body);
        return answer.GetProperty("updateId").ValueKind == JsonValueKind.Null ? null : answer.GetProperty("updateId").GetInt32();
    }

    public async Task<JsonElement> ReadJsonAsync(string path)
    {
        using var http = CreateClient();
        return JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
    }

    public async Task<InboxPageView> ReadInboxAsync(string query = "")
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<InboxPageView>($"/sandbox/inbox{query}"))!;
    }

    /// <summary>The control token, then the settings given (which win, so a test can take the token away).</summary>
    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(
            settings.Prepend((Key: Sandbox.ControlToken.Setting, Value: ControlToken))
                .GroupBy(setting => setting.Key, StringComparer.OrdinalIgnoreCase)
                .Select(same => KeyValuePair.Create(same.Key, (string?)same.Last().Value))));
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
