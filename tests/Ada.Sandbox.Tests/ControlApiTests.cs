using System.Globalization;
using Ada.Sandbox.Telegram;

namespace Ada.Sandbox.Tests;

/// <summary>The inbox, summary, stats and control routes tests use to drive and inspect the sandbox.</summary>
public sealed class ControlApiTests
{
    [Fact]
    public async Task Inbox_FiltersByChatAndPagesInArrivalOrder()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        foreach (var (chat, text) in new[] { (1L, "a"), (2L, "b"), (1L, "c"), (1L, "d") })
        {
            await bot.SendMessage(chat, text);
        }

        var all = await app.ReadInboxAsync("?channel=telegram");
        var chatOne = await app.ReadInboxAsync("?chatId=1&offset=1&limit=1");
        var otherChannel = await app.ReadInboxAsync("?channel=vk");

        Assert.Equal(4, all.Total);
        Assert.Equal(["a", "b", "c", "d"], all.Messages.Select(m => m.Text));
        Assert.Equal(3, chatOne.Total);
        var second = Assert.Single(chatOne.Messages);
        Assert.Equal(("c", 2L), (second.Text, second.MessageId));
        Assert.Equal(0, otherChannel.Total);
    }

    [Fact]
    public async Task Inbox_ReceivedAt_IsUtcWithMilliseconds()
    {
        await using var app = new SandboxApplication();
        await app.CreateBot().SendMessage(1, "a");

        var message = Assert.Single((await app.ReadInboxAsync()).Messages);

        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", message.ReceivedAt);
        var parsed = DateTimeOffset.Parse(message.ReceivedAt, CultureInfo.InvariantCulture);
        Assert.Equal(message.ReceivedAtUnixMs, parsed.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task InboxSummary_CountsChatsAndDuplicateTexts()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        foreach (var (chat, text) in new[] { (1L, "a"), (1L, "a"), (1L, "a"), (1L, "b"), (2L, "a"), (3L, "c"), (3L, "d") })
        {
            await bot.SendMessage(chat, text);
        }

        using var http = app.CreateClient();
        var summary = await http.GetFromJsonAsync<InboxSummary>("/sandbox/inbox/summary?channel=telegram");

        Assert.Equal(new InboxSummary(Total: 7, Chats: 3, ChatsWithMoreThanOne: 2, Duplicates: 2), summary);
    }

    [Fact]
    public async Task DeleteInbox_ClearsMessages_ButMessageIdsKeepIncreasing()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await bot.SendMessage(1, "a");
        await bot.SendMessage(1, "b");

        using var http = app.CreateClient();
        using var deleted = await http.DeleteAsync("/sandbox/inbox");
        var afterDelete = await app.ReadInboxAsync();
        var next = await bot.SendMessage(1, "c");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, afterDelete.Total);
        Assert.Equal(3, next.Id);
    }

    [Fact]
    public async Task Stats_CountRequestsSentThrottledAndErrors()
    {
        await using var app = new SandboxApplication(("Sandbox:Telegram:MessagesPerSecond", "1"), ("Sandbox:Telegram:BlockedChats", "9"));
        var bot = app.CreateBot();
        await bot.GetMe();
        await bot.SendMessage(1, "sent");
        await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(2, "throttled"));
        await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(9, "blocked"));

        using var http = app.CreateClient();
        var stats = await http.GetFromJsonAsync<SandboxStatsView>("/sandbox/stats");

        Assert.Equal(new ChannelCountersSnapshot(Requests: 4, Sent: 1, Throttled: 1, Errors: 1), stats!.Telegram);
    }

    [Fact]
    public async Task SendMessage_ManyAtOnce_StoresEachOnceWithGaplessIdsPerChat()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();

        await Task.WhenAll(Enumerable.Range(0, 600).Select(i => bot.SendMessage(i % 3, $"m{i}")));

        var inbox = await app.ReadInboxAsync();
        Assert.Equal(600, inbox.Total);
        Assert.Equal(600, inbox.Messages.Select(m => m.Text).Distinct().Count());
        foreach (var chat in inbox.Messages.GroupBy(m => m.ChatId))
        {
            Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), chat.Select(m => m.MessageId));
        }
    }

    [Fact]
    public async Task PutLimits_ChangesOnlyTheGivenLimits()
    {
        await using var app = new SandboxApplication(("Sandbox:Telegram:PerChatPerSecond", "1"));
        using var http = app.CreateClient();

        using var response = await http.PutAsJsonAsync("/sandbox/telegram/limits", new { messagesPerSecond = 30 });

        Assert.Equal(new TelegramLimits(30, 1), await response.Content.ReadFromJsonAsync<TelegramLimits>());
    }

    [Theory]
    [InlineData("/sandbox/telegram/chats/42", """{"state":"asleep"}""")]
    [InlineData("/sandbox/telegram/fault", """{"mode":"error418"}""")]
    [InlineData("/sandbox/telegram/fault", """{"mode":"error500","forSeconds":0}""")]
    [InlineData("/sandbox/telegram/limits", """{"messagesPerSecond":-1}""")]
    public async Task ControlApi_WithInvalidBody_Returns400Problem(string path, string json)
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PutAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_ReturnsHealthy(string path)
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        Assert.Equal("Healthy", await http.GetStringAsync(path));
    }

    [Fact]
    public async Task Startup_WithMalformedChatList_FailsNamingTheSetting()
    {
        var error = await SandboxFactory.StartupErrorAsync(("Sandbox:Telegram:BlockedChats", "42,abc"));

        Assert.Contains("Sandbox:Telegram:BlockedChats", error.ToString(), StringComparison.Ordinal);
    }
}
