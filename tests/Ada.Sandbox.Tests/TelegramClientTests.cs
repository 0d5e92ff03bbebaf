using Telegram.Bot.Types.Enums;

namespace Ada.Sandbox.Tests;

/// <summary>The real Telegram.Bot client, unchanged, against the sandbox.</summary>
public sealed class TelegramClientTests
{
    [Fact]
    public async Task GetMe_ReturnsSandboxBotWhoseIdIsTheTokenDigits()
    {
        await using var app = new SandboxApplication();

        var me = await app.CreateBot().GetMe();

        Assert.Equal(123456, me.Id);
        Assert.True(me.IsBot);
        Assert.Equal("Ada Sandbox", me.FirstName);
        Assert.Equal("ada_sandbox_bot", me.Username);
        Assert.True(me.CanJoinGroups);
    }

    [Fact]
    public async Task SendMessage_ReturnsMessageAndStoresItInInbox()
    {
        await using var app = new SandboxApplication();

        var message = await app.CreateBot().SendMessage(42, "Урок перенесён на 10:00");

        Assert.Equal(1, message.Id);
        Assert.Equal(42, message.Chat.Id);
        Assert.Equal(ChatType.Private, message.Chat.Type);
        Assert.Equal("Урок перенесён на 10:00", message.Text);
        Assert.Equal(123456, message.From!.Id);
        Assert.InRange(message.Date, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        var stored = Assert.Single((await app.ReadInboxAsync()).Messages);
        Assert.Equal(("telegram", "42", 1L, "Урок перенесён на 10:00"), (stored.Channel, stored.ChatId, stored.MessageId, stored.Text));
    }

    [Fact]
    public async Task SendMessage_NumbersMessagesPerChatStartingAtOne()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();

        var first = await bot.SendMessage(1, "a");
        var second = await bot.SendMessage(1, "b");
        var otherChat = await bot.SendMessage(2, "c");

        Assert.Equal([1, 2, 1], [first.Id, second.Id, otherChat.Id]);
    }

    [Fact]
    public async Task SendMessage_WithHtmlParseMode_IsDelivered()
    {
        await using var app = new SandboxApplication();

        var message = await app.CreateBot().SendMessage(42, "<b>Контрольная</b> завтра", parseMode: ParseMode.Html);

        Assert.Equal("<b>Контрольная</b> завтра", message.Text);
    }

    [Fact]
    public async Task SendMessage_ToBlockedChat_Returns403Forbidden()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/chats/42", new { state = "blocked" });

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => app.CreateBot().SendMessage(42, "hi"));

        Assert.Equal(403, error.ErrorCode);
        Assert.Equal("Forbidden: bot was blocked by the user", error.Message);
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendMessage_ToDeactivatedChat_Returns403UserDeactivated()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/chats/42", new { state = "deactivated" });

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => app.CreateBot().SendMessage(42, "hi"));

        Assert.Equal(403, error.ErrorCode);
        Assert.Equal("Forbidden: user is deactivated", error.Message);
    }

    [Fact]
    public async Task SendMessage_ToMissingChat_Returns400ChatNotFound()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/chats/42", new { state = "not_found" });

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => app.CreateBot().SendMessage(42, "hi"));

        Assert.Equal(400, error.ErrorCode);
        Assert.Equal("Bad Request: chat not found", error.Message);
    }

    [Fact]
    public async Task SendMessage_ToChatSetBackToOk_IsDelivered()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/chats/42", new { state = "blocked" });
        await app.PutAsync("/sandbox/telegram/chats/42", new { state = "ok" });

        var message = await app.CreateBot().SendMessage(42, "hi");

        Assert.Equal(42, message.Chat.Id);
    }

    [Fact]
    public async Task SendMessage_ToChatsListedInConfiguration_IsRefusedAsConfigured()
    {
        await using var app = new SandboxApplication(
            ("Sandbox:Telegram:BlockedChats", "1, 2"),
            ("Sandbox:Telegram:DeactivatedChats", "3"),
            ("Sandbox:Telegram:MissingChats", "-1004"));
        var bot = app.CreateBot();

        var blocked = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(2, "hi"));
        var deactivated = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(3, "hi"));
        var missing = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(-1004, "hi"));

        Assert.Equal((403, "Forbidden: bot was blocked by the user"), (blocked.ErrorCode, blocked.Message));
        Assert.Equal((403, "Forbidden: user is deactivated"), (deactivated.ErrorCode, deactivated.Message));
        Assert.Equal((400, "Bad Request: chat not found"), (missing.ErrorCode, missing.Message));
        Assert.Equal(5, (await bot.SendMessage(5, "hi")).Chat.Id);
    }

    [Fact]
    public async Task SendMessage_ToUsername_Returns400ChatNotFound()
    {
        await using var app = new SandboxApplication();

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => app.CreateBot().SendMessage("@someone", "hi"));

        Assert.Equal((400, "Bad Request: chat not found"), (error.ErrorCode, error.Message));
    }

    [Fact]
    public async Task SendMessage_WithTextOver4096Chars_Returns400TooLong()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, new string('я', 4097)));
        var longest = await bot.SendMessage(42, new string('я', 4096));

        Assert.Equal((400, "Bad Request: message is too long"), (error.ErrorCode, error.Message));
        Assert.Equal(4096, longest.Text!.Length);
        Assert.Equal(1, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendMessage_WithEmptyText_Returns400TextEmpty()
    {
        await using var app = new SandboxApplication();

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => app.CreateBot().SendMessage(42, ""));

        Assert.Equal((400, "Bad Request: message text is empty"), (error.ErrorCode, error.Message));
    }

    [Fact]
    public async Task SendMessage_OverGlobalRateLimit_Returns429WithRetryAfterAndIsNotStored()
    {
        await using var app = new SandboxApplication(("Sandbox:Telegram:MessagesPerSecond", "2"));
        var bot = app.CreateBot();

        await bot.SendMessage(1, "first");
        await bot.SendMessage(2, "second");
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(3, "third"));

        Assert.Equal(429, error.ErrorCode);
        Assert.StartsWith("Too Many Requests: retry after ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Parameters?.RetryAfter >= 1, $"retry_after was {error.Parameters?.RetryAfter}");
        Assert.Equal(["first", "second"], (await app.ReadInboxAsync()).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task SendMessage_AfterRateWindowSlidesPast_IsDeliveredAgain()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/limits", new { messagesPerSecond = 1 });
        var bot = app.CreateBot();
        await bot.SendMessage(1, "first");

        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    await bot.SendMessage(1, "second");
                    return true;
                }
                catch (ApiRequestException e) when (e.ErrorCode == 429)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(5),
            "the second message gets through once the first leaves the one-second window");

        Assert.Equal(2, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendMessage_OverPerChatLimit_ThrottlesOnlyThatChat()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/limits", new { messagesPerSecond = 0, perChatPerSecond = 1 });
        var bot = app.CreateBot();

        await bot.SendMessage(1, "first");
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(1, "again"));
        var otherChat = await bot.SendMessage(2, "other");

        Assert.Equal(429, error.ErrorCode);
        Assert.True(error.Parameters?.RetryAfter >= 1);
        Assert.Equal(1, otherChat.Id);
        Assert.Equal(2, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendMessage_DuringError500Fault_Fails500UntilFaultIsCleared()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.PutAsync("/sandbox/telegram/fault", new { mode = "error500" });

        var error = await Assert.ThrowsAnyAsync<RequestException>(() => bot.SendMessage(42, "hi"));
        await app.PutAsync("/sandbox/telegram/fault", new { mode = "none" });
        var message = await bot.SendMessage(42, "hi");

        Assert.Equal(500, Assert.IsType<ApiRequestException>(error).ErrorCode);
        Assert.Equal(1, message.Id);
    }

    [Fact]
    public async Task SendMessage_DuringError502Fault_ThrowsRequestException()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/fault", new { mode = "error502" });

        await Assert.ThrowsAnyAsync<RequestException>(() => app.CreateBot().SendMessage(42, "hi"));

        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Fault_WithForSeconds_RevertsToNoneByItself()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.PutAsync("/sandbox/telegram/fault", new { mode = "error500", forSeconds = 1 });

        await Assert.ThrowsAnyAsync<RequestException>(() => bot.GetMe());
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    await bot.GetMe();
                    return true;
                }
                catch (RequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(10),
            "getMe works again after the one-second fault");
    }

    [Fact]
    public async Task SendMessage_DuringTimeoutFault_HangsUntilTheClientGivesUp()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/fault", new { mode = "timeout" });
        var http = app.CreateClient();
        http.Timeout = TimeSpan.FromMilliseconds(500);
        var bot = new TelegramBotClient(
            new TelegramBotClientOptions(SandboxApplication.Token, baseUrl: http.BaseAddress!.ToString()) { RetryThreshold = 0 }, http);

        var error = await Assert.ThrowsAnyAsync<RequestException>(() => bot.SendMessage(42, "hi"));

        Assert.Contains("timed out", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task GetMe_WithTokenOtherThanConfigured_Returns401Unauthorized()
    {
        await using var app = new SandboxApplication(("Sandbox:Telegram:Token", SandboxApplication.Token));

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => app.CreateBot("654321:OTHER").GetMe());
        var me = await app.CreateBot().GetMe();

        Assert.Equal((401, "Unauthorized"), (error.ErrorCode, error.Message));
        Assert.Equal(123456, me.Id);
    }
}
