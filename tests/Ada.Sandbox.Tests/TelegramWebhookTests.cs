using Telegram.Bot.Types.Enums;

namespace Ada.Sandbox.Tests;

/// <summary>Webhook delivery as a real HTTP receiver sees it, and the Bot API's webhook methods over the wire.</summary>
public sealed class TelegramWebhookTests
{
    private const string Bot = $"/bot{SandboxApplication.Token}";
    private const string Secret = "s3cret_token-for-ada";
    private const long Student = 5001;

    [Fact]
    public async Task Webhook_GetsEachUpdateWithTheSecretHeader_AndAgainAfterNon2xx_UntilAcknowledged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.ResponseStatus = 500;
        await using var app = new SandboxApplication(("Sandbox:Telegram:WebhookRetryMilliseconds", "20"));
        var bot = app.CreateBot();
        await bot.SetWebhook(receiver.Url("v1/telegram/webhook").AbsoluteUri, secretToken: Secret);

        var updateId = await app.WriteAsync(Student, "/start abc");
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Count >= 3), TimeSpan.FromSeconds(10), "three refused deliveries");
        var refused = await bot.GetWebhookInfo();
        receiver.ResponseStatus = 200;
        await Eventually.HoldsAsync(
            async () => (await bot.GetWebhookInfo()).PendingUpdateCount == 0, TimeSpan.FromSeconds(10), "the update is acknowledged");
        var log = await app.ReadJsonAsync("/sandbox/telegram/webhook-log");

        Assert.All(receiver.Received, webhook =>
        {
            Assert.Equal("/v1/telegram/webhook", webhook.Path);
            Assert.Equal(Secret, webhook.Header("X-Telegram-Bot-Api-Secret-Token"));
            Assert.StartsWith("application/json", webhook.Header("Content-Type"), StringComparison.Ordinal);
            Assert.Equal(updateId, webhook.Json.GetProperty("update_id").GetInt32());
            Assert.Equal("/start abc", webhook.Json.GetProperty("message").GetProperty("text").GetString());
        });
        Assert.Equal(1, refused.PendingUpdateCount);
        Assert.Equal("Wrong response from the webhook: 500 Internal Server Error", refused.LastErrorMessage);
        Assert.NotNull(refused.LastErrorDate);
        var attempts = log.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(receiver.Received.Count, attempts.Count);
        Assert.Equal(200, attempts[^1].GetProperty("status").GetInt32());
        Assert.All(attempts[..^1], attempt => Assert.Equal(500, attempt.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task Webhook_WithoutSecret_SendsNoSecretHeader_InOrderOfUpdates()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await bot.SetWebhook(receiver.Url("hook").AbsoluteUri);

        await app.WriteAsync(Student, "один");
        await app.WriteAsync(Student + 1, "два");
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Count == 2), TimeSpan.FromSeconds(10), "both updates delivered");

        Assert.All(receiver.Received, webhook => Assert.Null(webhook.Header("X-Telegram-Bot-Api-Secret-Token")));
        Assert.Equal(["один", "два"], receiver.Received.Select(w => w.Json.GetProperty("message").GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Redeliver_PostsTheSameUpdateAgain_AsTelegramDoesWhenAnAnswerIsLost()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await bot.SetWebhook(receiver.Url("hook").AbsoluteUri, secretToken: Secret);
        var updateId = await app.WriteAsync(Student, "/stop");
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Count == 1), TimeSpan.FromSeconds(10), "the update is delivered");

        var attempt = await app.PostAsync($"/sandbox/telegram/updates/{updateId}/redeliver");

        Assert.Equal(200, attempt.GetProperty("status").GetInt32());
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(receiver.Received[0].Body, receiver.Received[1].Body);
        Assert.Equal(Secret, receiver.Received[1].Header("X-Telegram-Bot-Api-Secret-Token"));
    }

    [Fact]
    public async Task SetWebhook_AnswersWhatItDid_AndGetWebhookInfoShowsTheWebhook()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        var set = await PostAsync(http, "setWebhook", """{"url":"http://127.0.0.1:9/hook","secret_token":"abc","allowed_updates":["message","callback_query"]}""");
        var again = await PostAsync(http, "setWebhook", """{"url":"http://127.0.0.1:9/hook","secret_token":"abc"}""");
        var info = await PostAsync(http, "getWebhookInfo", "{}");
        var deleted = await PostAsync(http, "deleteWebhook", "{}");
        var deletedAgain = await PostAsync(http, "deleteWebhook", "{}");

        Assert.Equal("""{"ok":true,"result":true,"description":"Webhook was set"}""", set);
        Assert.Equal("""{"ok":true,"result":true,"description":"Webhook is already set"}""", again);
        Assert.Equal(
            """{"ok":true,"result":{"url":"http://127.0.0.1:9/hook","has_custom_certificate":false,"pending_update_count":0,"max_connections":40,"allowed_updates":["callback_query","message"]}}""",
            info);
        Assert.Equal("""{"ok":true,"result":true,"description":"Webhook was deleted"}""", deleted);
        Assert.Equal("""{"ok":true,"result":true,"description":"Webhook is already deleted"}""", deletedAgain);
    }

    [Fact]
    public async Task SetWebhook_WithABadSecretOrUrl_Is400_AndSetsNothing()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();

        var secret = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetWebhook("http://127.0.0.1:9/hook", secretToken: SandboxApplication.Token));
        var url = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetWebhook("ftp://example.org/hook"));

        Assert.Equal((400, "Bad Request: secret token contains unallowed characters"), (secret.ErrorCode, secret.Message));
        Assert.Equal((400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"), (url.ErrorCode, url.Message));
        Assert.Equal("", (await bot.GetWebhookInfo()).Url);
    }

    [Fact]
    public async Task SetWebhook_WithDropPendingUpdates_ForgetsWhatWaited()
    {
        await using var app = new SandboxApplication();
        var bot = app.CreateBot();
        await app.WriteAsync(Student, "старое");

        await bot.SetWebhook("http://127.0.0.1:9/hook", dropPendingUpdates: true, allowedUpdates: [UpdateType.Message]);
        var info = await bot.GetWebhookInfo();
        await bot.DeleteWebhook();

        Assert.Equal(0, info.PendingUpdateCount);
        Assert.Equal([UpdateType.Message], info.AllowedUpdates);
        Assert.Empty(await bot.GetUpdates(timeout: 0));
    }

    [Fact]
    public async Task GetUpdates_OverTheWire_IsTheBotApiEnvelopeWithSnakeCaseUpdates()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();
        await app.WriteAsync(Student, "/start", new { firstName = "Аня", languageCode = "ru" });

        using var response = await http.PostAsync($"{Bot}/getUpdates", SmsJson.Body("""{"offset":0,"timeout":0}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var update = Assert.Single(body.RootElement.GetProperty("result").EnumerateArray());
        Assert.Equal(["update_id", "message"], update.Names());
        var message = update.GetProperty("message");
        Assert.Equal(["message_id", "from", "chat", "date", "text", "entities"], message.Names());
        Assert.Equal(["id", "is_bot", "first_name", "language_code"], message.GetProperty("from").Names());
        Assert.Equal("""[{"type":"bot_command","offset":0,"length":6}]""", message.GetProperty("entities").GetRawText());
    }

    [Fact]
    public async Task SetMyCommands_WithAScopeThatIsNotOne_Is400()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        var stringChat = await PostAsync(http, "setMyCommands", """{"commands":[{"command":"a","description":"b"}],"scope":{"type":"chat","chat_id":"@x"}}""");
        var unknownType = await PostAsync(http, "setMyCommands", """{"commands":[{"command":"a","description":"b"}],"scope":{"type":"everyone"}}""");
        var notJson = await PostAsync(http, "getMyCommands", """{"scope":"{nope"}""");

        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""", stringChat);
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: can't parse BotCommandScope JSON object"}""", unknownType);
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: can't parse BotCommandScope JSON object"}""", notJson);
    }

    [Fact]
    public async Task SendMessage_WithAMalformedKeyboard_Is400_AndSendsNothing()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        string[] answers =
        [
            await PostAsync(http, "sendMessage", """{"chat_id":1,"text":"x","reply_markup":"{nope"}"""),
            await PostAsync(http, "sendMessage", """{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":""}]]}}"""),
            await PostAsync(http, "sendMessage", """{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"%s"}]]}}""".Replace("%s", new string('x', 65), StringComparison.Ordinal)),
            await PostAsync(http, "sendMessage", """{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","url":"javascript:alert(1)"}]]}}"""),
            await PostAsync(http, "sendMessage", """{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a"}]]}}"""),
            await PostAsync(http, "sendMessage", """{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":5,"callback_data":"a"}]]}}"""),
        ];

        Assert.Equal(
            [
                "Bad Request: can't parse reply keyboard markup JSON object",
                "Bad Request: BUTTON_DATA_INVALID",
                "Bad Request: BUTTON_DATA_INVALID",
                "Bad Request: BUTTON_URL_INVALID",
                "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String",
            ],
            answers.Select(answer => JsonDocument.Parse(answer).RootElement.GetProperty("description").GetString()));
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    private static async Task<string> PostAsync(HttpClient http, string method, string json)
    {
        using var response = await http.PostAsync($"{Bot}/{method}", SmsJson.Body(json));
        return await response.Content.ReadAsStringAsync();
    }
}
