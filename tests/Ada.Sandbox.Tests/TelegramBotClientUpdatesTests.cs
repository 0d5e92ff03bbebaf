using Telegram.Bot.Polling;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;
using ClientBotCommand = Telegram.Bot.Types.BotCommand;

namespace Ada.Sandbox.Tests;

/// <summary>What a bot built on the real Telegram.Bot client receives and does: updates, keyboards, edits, commands.</summary>
public sealed class TelegramBotClientUpdatesTests
{
    private const long Student = 5001;

    [Fact]
    public async Task GetUpdates_ReturnsWhatThePersonWrote_WithTheCommandMarked_UntilAnOffsetAcknowledgesIt()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.WriteAsync(Student, "/start abc-123", new { firstName = "Аня", username = "anya", languageCode = "en" });

        var first = Assert.Single(await bot.GetUpdates(timeout: 0));
        var again = Assert.Single(await bot.GetUpdates(timeout: 0));
        var afterAck = await bot.GetUpdates(offset: first.Id + 1, timeout: 0);

        Assert.Equal(UpdateType.Message, first.Type);
        var message = first.Message!;
        Assert.Equal("/start abc-123", message.Text);
        Assert.Equal((Student, false, "Аня", "anya", "en"), (message.From!.Id, message.From.IsBot, message.From.FirstName, message.From.Username, message.From.LanguageCode));
        Assert.Equal((Student, ChatType.Private), (message.Chat.Id, message.Chat.Type));
        var command = Assert.Single(message.Entities!);
        Assert.Equal((MessageEntityType.BotCommand, 0, 6), (command.Type, command.Offset, command.Length));
        Assert.Equal(first.Id, again.Id);
        Assert.Empty(afterAck);
    }

    [Fact]
    public async Task GetUpdates_WithTimeout_IsHeldUntilAnUpdateArrives()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();

        var poll = bot.GetUpdates(timeout: 30);
        await WaitUntilPollingAsync(app);
        Assert.False(poll.IsCompleted, "the long poll waits while there is nothing to answer");
        await app.WriteAsync(Student, "привет");

        var update = Assert.Single(await poll.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("привет", update.Message!.Text);
        Assert.Null(update.Message.Entities);
    }

    [Fact]
    public async Task GetUpdates_WithANegativeOffset_KeepsOnlyTheLastUpdates()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.WriteAsync(Student, "один");
        await app.WriteAsync(Student, "два");
        await app.WriteAsync(Student, "три");

        var last = await bot.GetUpdates(offset: -1, timeout: 0);
        var after = await bot.GetUpdates(timeout: 0);

        Assert.Equal(["три"], last.Select(u => u.Message!.Text));
        Assert.Equal(["три"], after.Select(u => u.Message!.Text));
    }

    [Fact]
    public async Task TheLibrarysOwnPollingLoop_ReceivesEveryUpdateOnce()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        bot.StartReceiving(
            (_, update, _) =>
            {
                received.Enqueue(update.Message?.Text ?? update.CallbackQuery!.Data!);
                return Task.CompletedTask;
            },
            (_, _, _, _) => Task.CompletedTask,
            new ReceiverOptions { DropPendingUpdates = true },
            stop.Token);

        await WaitUntilPollingAsync(app);
        await app.WriteAsync(Student, "/start");
        var sent = await bot.SendMessage(Student, "Да?", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Да", "yes")));
        await app.PostAsync($"/sandbox/telegram/chats/{Student}/callbacks", new { messageId = sent.Id, data = "yes" });
        await Eventually.HoldsAsync(() => Task.FromResult(received.Count >= 2), TimeSpan.FromSeconds(10), "both updates reach the handler");
        await Eventually.HoldsAsync(
            async () => (await app.ReadJsonAsync("/sandbox/telegram/updates")).GetProperty("pendingUpdates").GetInt32() == 0,
            TimeSpan.FromSeconds(10),
            "the next poll acknowledges them");
        await stop.CancelAsync();

        Assert.Equal(["/start", "yes"], received);
        Assert.Equal(0, (await app.ReadJsonAsync("/sandbox/telegram/updates")).GetProperty("conflicts").GetInt64());
    }

    [Fact]
    public async Task GetUpdates_WithTimeoutAndNothingToSay_AnswersAnEmptyList()
    {
        await using var app = new SandboxApplication();

        var updates = await app.CreateBot().GetUpdates(timeout: 1);

        Assert.Empty(updates);
    }

    [Fact]
    public async Task GetUpdates_ASecondPoller_EndsTheHeldPollWith409Conflict()
    {
        await using var app = new SandboxApplication();
        var first = app.CreateBot().GetUpdates(timeout: 30);
        await WaitUntilPollingAsync(app);

        var second = app.CreateBot().GetUpdates(timeout: 1);
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(409, error.ErrorCode);
        Assert.Equal("Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", error.Message);
        Assert.Empty(await second);
        Assert.Equal(1, (await app.ReadJsonAsync("/sandbox/telegram/updates")).GetProperty("conflicts").GetInt64());
    }

    [Fact]
    public async Task GetUpdates_WhileAWebhookIsSet_Is409_UntilDeleteWebhook()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await bot.SetWebhook("http://127.0.0.1:9/v1/telegram/webhook");

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.GetUpdates(timeout: 0));
        await bot.DeleteWebhook();

        Assert.Equal(409, error.ErrorCode);
        Assert.Equal("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", error.Message);
        Assert.Empty(await bot.GetUpdates(timeout: 0));
    }

    [Fact]
    public async Task GetUpdates_WithAllowedUpdates_LeavesOtherTypesOut_AndByDefaultIncludesMyChatMember()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.PostAsync($"/sandbox/telegram/chats/{Student}/block");
        var byDefault = Assert.Single(await bot.GetUpdates(timeout: 0));

        await bot.GetUpdates(offset: byDefault.Id + 1, timeout: 0, allowedUpdates: [UpdateType.Message]);
        var unblocked = await app.PostAsync($"/sandbox/telegram/chats/{Student}/unblock");
        await app.WriteAsync(Student, "/status");
        var onlyMessages = Assert.Single(await bot.GetUpdates(timeout: 0));

        Assert.Equal(UpdateType.MyChatMember, byDefault.Type);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unblocked.GetProperty("updateId").ValueKind);
        Assert.Equal("/status", onlyMessages.Message!.Text);
    }

    [Fact]
    public async Task BlockingTheBot_SendsKickedMyChatMember_AndSendMessageIsForbiddenUntilUnblocked()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await bot.GetMe();
        await app.WriteAsync(Student, "/start");
        await app.PostAsync($"/sandbox/telegram/chats/{Student}/block");

        var blockedSend = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(Student, "Контрольная завтра"));
        await app.PostAsync($"/sandbox/telegram/chats/{Student}/unblock");
        var updates = await bot.GetUpdates(timeout: 0);
        var delivered = await bot.SendMessage(Student, "Контрольная завтра");

        Assert.Equal((403, "Forbidden: bot was blocked by the user"), (blockedSend.ErrorCode, blockedSend.Message));
        Assert.Equal([UpdateType.Message, UpdateType.MyChatMember, UpdateType.MyChatMember], updates.Select(u => u.Type));
        var block = updates[1].MyChatMember!;
        Assert.Equal((ChatMemberStatus.Member, ChatMemberStatus.Kicked), (block.OldChatMember.Status, block.NewChatMember.Status));
        Assert.IsType<ChatMemberBanned>(block.NewChatMember);
        Assert.Equal((Student, 123456L, true), (block.From.Id, block.NewChatMember.User.Id, block.NewChatMember.User.IsBot));
        var unblock = updates[2].MyChatMember!;
        Assert.Equal((ChatMemberStatus.Kicked, ChatMemberStatus.Member), (unblock.OldChatMember.Status, unblock.NewChatMember.Status));
        Assert.Equal("Контрольная завтра", delivered.Text);
    }

    [Fact]
    public async Task PressingAnInlineButton_DeliversTheCallbackQuery_WhichIsAnsweredOnce()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        var keyboard = new InlineKeyboardMarkup([
            [InlineKeyboardButton.WithCallbackData("ПИ-21", "g:21"), InlineKeyboardButton.WithCallbackData("ПИ-22", "g:22")],
            [InlineKeyboardButton.WithUrl("Сайт", "https://example.org/")]]);
        var sent = await bot.SendMessage(Student, "Кому отправить?", replyMarkup: keyboard);

        await app.PostAsync($"/sandbox/telegram/chats/{Student}/callbacks", new { messageId = sent.Id, buttonText = "ПИ-22" });
        var query = Assert.Single(await bot.GetUpdates(timeout: 0)).CallbackQuery!;
        await bot.AnswerCallbackQuery(query.Id, "Выбрано: ПИ-22");
        var twice = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerCallbackQuery(query.Id));

        Assert.Equal(["ПИ-21", "ПИ-22", "Сайт"], sent.ReplyMarkup!.InlineKeyboard.SelectMany(row => row).Select(button => button.Text));
        Assert.Equal("g:22", query.Data);
        Assert.Equal((Student, sent.Id, "Кому отправить?"), (query.From.Id, query.Message!.Id, ((Message)query.Message).Text));
        Assert.False(string.IsNullOrEmpty(query.ChatInstance));
        Assert.Equal((400, "Bad Request: query is too old and response timeout expired or query ID is invalid"), (twice.ErrorCode, twice.Message));
        var press = Assert.Single((await app.ReadJsonAsync($"/sandbox/telegram/chats/{Student}")).GetProperty("callbacks").EnumerateArray());
        Assert.True(press.GetProperty("answered").GetBoolean());
        Assert.Equal("Выбрано: ПИ-22", press.GetProperty("answerText").GetString());
    }

    [Fact]
    public async Task AnswerCallbackQuery_WithTextOver200Characters_Is400_AndLeavesTheQueryOpen()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        var sent = await bot.SendMessage(Student, "Да?", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Да", "yes")));
        var press = await app.PostAsync($"/sandbox/telegram/chats/{Student}/callbacks", new { messageId = sent.Id, data = "yes" });
        var queryId = press.GetProperty("callbackQueryId").GetString()!;

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerCallbackQuery(queryId, new string('я', 201)));
        await bot.AnswerCallbackQuery(queryId, new string('я', 200));

        Assert.Equal((400, "Bad Request: MESSAGE_TOO_LONG"), (error.ErrorCode, error.Message));
    }

    [Fact]
    public async Task EditMessageText_ReplacesTextAndKeyboard_CountingEdits_AndTheSameContentIsNotModified()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        var sent = await bot.SendMessage(Student, "Telegram 0/40", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Отменить", "cancel")));

        var edited = await bot.EditMessageText(Student, sent.Id, "Telegram 38/40", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Отменить", "cancel")));
        var same = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(Student, sent.Id, "Telegram 38/40", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Отменить", "cancel"))));
        var final = await bot.EditMessageText(Student, sent.Id, "Telegram 38/40");

        Assert.Equal((sent.Id, "Telegram 38/40"), (edited.Id, edited.Text));
        Assert.NotNull(edited.EditDate);
        Assert.Equal("cancel", Assert.Single(edited.ReplyMarkup!.InlineKeyboard.SelectMany(row => row)).CallbackData);
        Assert.Equal(400, same.ErrorCode);
        Assert.Equal(
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            same.Message);
        Assert.Null(final.ReplyMarkup);
        var message = Assert.Single((await app.ReadJsonAsync($"/sandbox/telegram/chats/{Student}")).GetProperty("messages").EnumerateArray());
        Assert.Equal(("Telegram 38/40", 2), (message.GetProperty("text").GetString(), message.GetProperty("editCount").GetInt32()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, message.GetProperty("replyMarkup").ValueKind);
        Assert.Equal(["Telegram 0/40"], (await app.ReadInboxAsync()).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task EditMessageText_OfAMessageThatIsNotThere_Is400NotFound_AndOfThePersonsMessage_CannotBeEdited()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.WriteAsync(Student, "/send");

        var missing = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(Student, 99, "x"));
        var theirs = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(Student, 1, "x"));

        Assert.Equal((400, "Bad Request: message to edit not found"), (missing.ErrorCode, missing.Message));
        Assert.Equal((400, "Bad Request: message can't be edited"), (theirs.ErrorCode, theirs.Message));
    }

    [Fact]
    public async Task SetMyCommands_KeepsOneListPerScopeAndLanguage()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        ClientBotCommand[] students = [new("start", "Начать"), new("stop", "Отписаться")];
        ClientBotCommand[] teachersEn = [new("send", "Send a message"), new("history", "Recent messages")];

        await bot.SetMyCommands(students);
        await bot.SetMyCommands(teachersEn, BotCommandScope.Chat(Student), "en");
        var chatEn = await bot.GetMyCommands(BotCommandScope.Chat(Student), "en");
        var chatRu = await bot.GetMyCommands(BotCommandScope.Chat(Student));
        var byDefault = await bot.GetMyCommands();
        var lists = await app.ReadJsonAsync("/sandbox/telegram/commands");
        await bot.DeleteMyCommands(BotCommandScope.Chat(Student), "en");

        Assert.Equal(["send", "history"], chatEn.Select(c => c.Command));
        Assert.Empty(chatRu);
        Assert.Equal(["Начать", "Отписаться"], byDefault.Select(c => c.Description));
        Assert.Equal(
            ["default//start,stop", $"chat:{Student}/en/send,history"],
            lists.EnumerateArray().Select(list =>
                $"{list.GetProperty("scope").GetProperty("type").GetString()}{(list.GetProperty("scope").GetProperty("chatId").ValueKind == System.Text.Json.JsonValueKind.Number ? $":{list.GetProperty("scope").GetProperty("chatId").GetInt64()}" : "")}"
                + $"/{list.GetProperty("languageCode").GetString()}/{string.Join(',', list.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("command").GetString()))}"));
        Assert.Empty(await bot.GetMyCommands(BotCommandScope.Chat(Student), "en"));
    }

    [Fact]
    public async Task SetMyCommands_WithAnInvalidCommandName_Is400_AndChangesNothing()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();

        var upper = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetMyCommands([new ClientBotCommand("Send", "Отправить")]));
        var slash = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetMyCommands([new ClientBotCommand("/send", "Отправить")]));
        var empty = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetMyCommands([new ClientBotCommand("send", " ")]));

        Assert.Equal((400, "Bad Request: BOT_COMMAND_INVALID"), (upper.ErrorCode, upper.Message));
        Assert.Equal("Bad Request: BOT_COMMAND_INVALID", slash.Message);
        Assert.Equal("Bad Request: command description must be non-empty", empty.Message);
        Assert.Empty(await bot.GetMyCommands());
    }

    [Fact]
    public async Task GetMe_AnswersTheConfiguredUsername()
    {
        await using var app = new SandboxApplication(("Sandbox:Telegram:BotUsername", "ada_university_bot"));

        var me = await app.CreateBot().GetMe();

        Assert.Equal(("ada_university_bot", 123456L), (me.Username, me.Id));
    }

    private static Task WaitUntilPollingAsync(SandboxApplication app) =>
        Eventually.HoldsAsync(
            async () => (await app.ReadJsonAsync("/sandbox/telegram/updates")).GetProperty("polling").GetBoolean(),
            TimeSpan.FromSeconds(10),
            "the sandbox holds the long poll");
}
