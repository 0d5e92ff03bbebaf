namespace Ada.EndToEnd.Tests;

/// <summary>A person's private chat with the bot in the sandbox's Telegram: type, press buttons, read what the bot wrote.</summary>
public sealed class SandboxChat(AdaStack ada, long chatId, string languageCode = "ru")
{
    public long Id => chatId;

    /// <summary>Types a text as the person; returns the update id Telegram made of it.</summary>
    public async Task<int> WriteAsync(string text)
    {
        using var response = await ada.SandboxHttp.PostAsJsonAsync($"/sandbox/telegram/chats/{chatId}/messages",
            new { text, firstName = $"User{chatId}", languageCode });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["updateId"]!.GetValue<int>();
    }

    /// <summary>Presses the inline button with this text under one of the bot's messages.</summary>
    public async Task PressAsync(int messageId, string buttonText)
    {
        using var response = await ada.SandboxHttp.PostAsJsonAsync($"/sandbox/telegram/chats/{chatId}/callbacks",
            new { messageId, buttonText });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"pressing '{buttonText}': {await response.Content.ReadAsStringAsync()}");
    }

    public async Task BlockAsync()
    {
        using var response = await ada.SandboxHttp.PostAsync($"/sandbox/telegram/chats/{chatId}/block", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The bot's messages in this chat, oldest first, as they read now (edits applied).</summary>
    public async Task<List<JsonObject>> BotMessagesAsync()
    {
        var chat = await ada.SandboxHttp.GetFromJsonAsync<JsonObject>($"/sandbox/telegram/chats/{chatId}");
        return [.. chat!["messages"]!.AsArray().Select(m => m!.AsObject()).Where(m => m["from"]!.GetValue<string>() == "bot")];
    }

    /// <summary>Waits for a bot message (new or edited) whose text contains every one of <paramref name="parts"/>.</summary>
    public Task<JsonObject> WaitForAsync(params string[] parts) => WaitForAsync(TimeSpan.FromSeconds(30), parts);

    public async Task<JsonObject> WaitForAsync(TimeSpan within, params string[] parts)
    {
        var messages = await Eventually.WaitAsync(BotMessagesAsync,
            all => all.Any(m => parts.All(p => Text(m).Contains(p, StringComparison.Ordinal))), within,
            $"a bot message in chat {chatId} with {string.Join(" + ", parts.Select(p => $"'{p}'"))}");
        return messages.Last(m => parts.All(p => Text(m).Contains(p, StringComparison.Ordinal)));
    }

    public static string Text(JsonObject message) => message["text"]!.GetValue<string>();

    public static int MessageId(JsonObject message) => message["messageId"]!.GetValue<int>();

    /// <summary>The texts of a message's inline buttons, row by row.</summary>
    public static List<string> Buttons(JsonObject message) =>
        message["replyMarkup"]?["inline_keyboard"]?.AsArray().SelectMany(row => row!.AsArray())
            .Select(b => b!["text"]!.GetValue<string>()).ToList() ?? [];
}
