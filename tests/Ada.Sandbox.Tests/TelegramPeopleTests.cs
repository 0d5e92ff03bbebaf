using Telegram.Bot.Types.ReplyMarkups;
using ClientBotCommand = Telegram.Bot.Types.BotCommand;

namespace Ada.Sandbox.Tests;

/// <summary>The control API where tests act as people, and the chat page where a person does it in a browser.</summary>
public sealed class TelegramPeopleTests
{
    private const long Student = 5001;

    [Fact]
    public async Task Write_WithBadInput_Is400ProblemAndQueuesNothing()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var empty = await http.PostAsJsonAsync($"/sandbox/telegram/chats/{Student}/messages", new { text = " " });
        using var tooLong = await http.PostAsJsonAsync($"/sandbox/telegram/chats/{Student}/messages", new { text = new string('я', 4097) });
        using var group = await http.PostAsJsonAsync("/sandbox/telegram/chats/-100/messages", new { text = "hi" });
        using var otherUser = await http.PostAsJsonAsync($"/sandbox/telegram/chats/{Student}/messages", new { text = "hi", userId = 7 });

        foreach (var response in new[] { empty, tooLong, group, otherUser })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(0, (await app.ReadJsonAsync("/sandbox/telegram/updates")).GetProperty("pendingUpdates").GetInt32());
    }

    [Fact]
    public async Task Press_NeedsAButtonTheBotsMessageHas()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();
        var sent = await app.CreateBot().SendMessage(Student, "Да?", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Да", "yes")));

        using var noMessage = await http.PostAsJsonAsync($"/sandbox/telegram/chats/{Student}/callbacks", new { messageId = 99, data = "yes" });
        using var noButton = await http.PostAsJsonAsync($"/sandbox/telegram/chats/{Student}/callbacks", new { messageId = sent.Id, data = "no" });
        using var noData = await http.PostAsJsonAsync($"/sandbox/telegram/chats/{Student}/callbacks", new { messageId = sent.Id });
        var pressed = await app.PostAsync($"/sandbox/telegram/chats/{Student}/callbacks", new { messageId = sent.Id, data = "yes" });

        Assert.Equal(
            [HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest],
            [noMessage.StatusCode, noButton.StatusCode, noData.StatusCode]);
        Assert.Equal(1, pressed.GetProperty("updateId").GetInt32());
        Assert.Equal("yes", pressed.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Block_Twice_Or_WritingWhileBlocked_Is409AndChangesNothing()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();
        await app.PostAsync($"/sandbox/telegram/chats/{Student}/block");

        using var twice = await http.PostAsync($"/sandbox/telegram/chats/{Student}/block", null);
        using var writing = await http.PostAsJsonAsync($"/sandbox/telegram/chats/{Student}/messages", new { text = "/start" });
        using var unblockUnblocked = await http.PostAsync("/sandbox/telegram/chats/42/unblock", null);
        var chat = await app.ReadJsonAsync($"/sandbox/telegram/chats/{Student}");

        Assert.Equal(
            [HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict],
            [twice.StatusCode, writing.StatusCode, unblockUnblocked.StatusCode]);
        Assert.Equal("blocked", chat.GetProperty("state").GetString());
        Assert.Empty(chat.GetProperty("messages").EnumerateArray());
        Assert.Equal(1, (await app.ReadJsonAsync("/sandbox/telegram/updates")).GetProperty("pendingUpdates").GetInt32());
    }

    [Fact]
    public async Task Transcript_HasBothSidesInOrder_WithTheRememberedProfile()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.WriteAsync(Student, "/start", new { firstName = "Аня", username = "anya", languageCode = "en" });
        await bot.SendMessage(Student, "Hello, Anya");
        await app.WriteAsync(Student, "/status");

        var chat = await app.ReadJsonAsync($"/sandbox/telegram/chats/{Student}");
        var reply = await bot.SendMessage(Student, "On: Telegram");

        Assert.Equal(
            ["1 user /start", "2 bot Hello, Anya", "3 user /status"],
            chat.GetProperty("messages").EnumerateArray().Select(m =>
                $"{m.GetProperty("messageId").GetInt32()} {m.GetProperty("from").GetString()} {m.GetProperty("text").GetString()}"));
        Assert.Equal("en", chat.GetProperty("user").GetProperty("languageCode").GetString());
        Assert.Equal(4, reply.Id);
        Assert.Equal(("Аня", "anya"), (reply.Chat.FirstName, reply.Chat.Username));
    }

    [Fact]
    public async Task DeepLink_OpensANewUsersChat_SendingStartWithThePayload_ThenShowsTheChat()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var bot = app.CreateBot();

        using var first = await http.GetAsync("/sandbox/telegram/t.me/ada_sandbox_bot?start=Ab_9-x");
        using var second = await http.GetAsync("/sandbox/telegram/t.me/Ada_Sandbox_Bot");
        var updates = await bot.GetUpdates(timeout: 0);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(2, updates.Length);
        var (a, b) = (updates[0].Message!, updates[1].Message!);
        Assert.Equal("/start Ab_9-x", a.Text);
        Assert.Equal("/start", b.Text);
        Assert.NotEqual(a.From!.Id, b.From!.Id);
        Assert.Equal(a.From.Id, a.Chat.Id);
        Assert.Equal("ru", a.From.LanguageCode);
        Assert.Equal($"/sandbox/telegram/chat/{a.Chat.Id}", first.Headers.Location!.OriginalString);
        var page = await http.GetStringAsync(first.Headers.Location);
        Assert.Contains("/start Ab_9-x", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeepLink_ToAnotherBotOrWithABadPayload_IsRefusedAndOpensNothing()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var otherBot = await http.GetAsync("/sandbox/telegram/t.me/other_bot?start=abc");
        using var badPayload = await http.GetAsync("/sandbox/telegram/t.me/ada_sandbox_bot?start=" + new string('a', 65));

        Assert.Equal(HttpStatusCode.NotFound, otherBot.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPayload.StatusCode);
        Assert.Equal(0, (await app.ReadJsonAsync("/sandbox/telegram/updates")).GetProperty("lastUpdateId").GetInt32());
    }

    [Fact]
    public async Task ChatPage_EscapesWhatTheBotAndThePersonWrote_AndLinksOnlyHttpButtons()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();
        var bot = app.CreateBot();
        await app.WriteAsync(Student, "<img src=x onerror=alert(1)>", new { firstName = "<b>Аня</b>" });
        await bot.SendMessage(Student, "<script>alert('x')</script>", replyMarkup: new InlineKeyboardMarkup([
            [InlineKeyboardButton.WithCallbackData("\"><script>", "a\"b")],
            [InlineKeyboardButton.WithUrl("Сайт", "https://example.org/?q=\"x\"")]]));

        var page = await http.GetStringAsync($"/sandbox/telegram/chat/{Student}");

        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Аня", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.Contains("value=\"a&quot;b\"", page, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/?q=%22x%22\"", page, StringComparison.Ordinal);
        Assert.Contains("Чат / Chat", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatPage_Forms_WriteAndPressAsThePerson()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var bot = app.CreateBot();
        var sent = await bot.SendMessage(Student, "Кому?", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("ПИ-21", "g:21")));

        using var written = await http.PostAsync($"/sandbox/telegram/chat/{Student}", new FormUrlEncodedContent([new("text", "Контрольная завтра")]));
        using var pressed = await http.PostAsync(
            $"/sandbox/telegram/chat/{Student}/press", new FormUrlEncodedContent([new("messageId", $"{sent.Id}"), new("data", "g:21")]));
        using var empty = await http.PostAsync($"/sandbox/telegram/chat/{Student}", new FormUrlEncodedContent([new("text", "")]));
        var updates = await bot.GetUpdates(timeout: 0);

        using var notAForm = await http.PostAsync($"/sandbox/telegram/chat/{Student}/press", SmsJson.Body("""{"messageId":1}"""));

        Assert.Equal(
            [HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest],
            [written.StatusCode, pressed.StatusCode, empty.StatusCode, notAForm.StatusCode]);
        Assert.Equal("Контрольная завтра", updates[0].Message!.Text);
        Assert.Equal("g:21", updates[1].CallbackQuery!.Data);
        Assert.Equal(2, updates.Length);
    }

    [Fact]
    public async Task ChatPage_ShowsTheMenuTheUserWouldSee_InTheirLanguage()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();
        var bot = app.CreateBot();
        await bot.SetMyCommands([new ClientBotCommand("start", "Начать")]);
        await bot.SetMyCommands([new ClientBotCommand("start", "Start")], languageCode: "en");
        await app.WriteAsync(Student, "/start", new { languageCode = "en" });

        var page = await http.GetStringAsync($"/sandbox/telegram/chat/{Student}");

        Assert.Contains("/start — Start", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Начать", page, StringComparison.Ordinal);
    }
}
