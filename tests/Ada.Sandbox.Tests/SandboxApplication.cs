namespace Ada.Sandbox.Tests;

/// <summary>The sandbox with its defaults: the Bot API for <see cref="Token"/>, the control API.</summary>
public sealed class SandboxApplication(params (string Key, string Value)[] settings) : SandboxFactory(settings)
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

    public TelegramBotClient CreateBot(string token = Token)
    {
        var http = CreateClient();
        var options = new TelegramBotClientOptions(token, baseUrl: http.BaseAddress!.ToString()) { RetryThreshold = 0 };
        return new TelegramBotClient(options, http);
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
