using System.Net.Http.Headers;
using System.Text;

namespace Ada.EndToEnd.Tests;

/// <summary>
/// The bot in the API, driven as people use it through the sandbox's Telegram: real API, courier and sandbox
/// processes, the real Telegram.Bot client on both sides of the wire.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TelegramBotTests(RedisServer redis)
{
    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Student_SignsUpByTheDeepLink_ReceivesTheNextGroupMessage_AndAfterStopNoTelegramDelivery()
    {
        await using var ada = await AdaStack.StartAsync(redis, bot: "polling");
        var student = new Person("bot-s1");
        await People.ImportAsync(ada, [student], ("bot-g1", "BOT-G1", [student], []));

        using var issued = await ada.Admin.PostAsync($"/v1/users/{student.Id}/link-codes", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var answer = (await issued.Content.ReadFromJsonAsync<JsonObject>())!;
        var code = answer["code"]!.GetValue<string>();
        Assert.Equal($"https://t.me/{AdaStack.BotUsername}?start={code}", answer["telegramLink"]!.GetValue<string>());

        // Opening the link and pressing Start: the sandbox makes a new person and sends "/start <code>" as them.
        var chatId = await OpenDeepLinkAsync(ada, code);
        var chat = new SandboxChat(ada, chatId);
        await chat.WaitForAsync("Готово", $"Person {student.Id}", "Telegram");
        var user = await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/users/{student.Id}");
        Assert.Equal(chatId.ToString(System.Globalization.CultureInfo.InvariantCulture), user!["contacts"]!["telegram"]!.GetValue<string>());

        var first = await People.QueueNowAsync(ada.Admin, "Лекция перенесена в 305", "bot-g1");
        var done = await People.WaitDoneAsync(ada, first);
        Assert.Equal(1, People.Count(done["channels"]!["telegram"], "sent"));
        await chat.WaitForAsync("Лекция перенесена в 305");

        await chat.WriteAsync("/stop");
        await chat.WaitForAsync("Telegram выключен");
        var second = await People.QueueNowAsync(ada.Admin, "Второе сообщение", "bot-g1");
        var after = await People.WaitDoneAsync(ada, second);
        Assert.Equal(0, People.Count(after["channels"]!["telegram"], "sent"));
        Assert.Equal(1, People.Count(after["channels"]!["telegram"], "noContact"));
        Assert.DoesNotContain(await chat.BotMessagesAsync(), m => SandboxChat.Text(m) == "Второе сообщение");

        // The same code again changes nothing and says so.
        var stranger = new SandboxChat(ada, 8_200_000 + Random.Shared.Next(100_000));
        await stranger.WriteAsync($"/start {code}");
        await stranger.WaitForAsync("Код не подошёл");
    }

    [Fact]
    public async Task EnglishStudent_AfterStop_StartsWithAFreshCode_TelegramIsOnAgain_AndWrongCodesChangeNothing()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 0, bot: "polling");
        var chatId = 8_800_000L + Random.Shared.Next(100_000);
        var student = new Person("re-s1", Telegram: chatId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var teacher = new Person("re-t1", Role: "teacher");
        await People.ImportAsync(ada, [student, teacher]);
        var chat = new SandboxChat(ada, chatId, "en");

        await chat.WriteAsync("/stop");
        await chat.WaitForAsync("Telegram is off");
        Assert.Contains("telegram", await InactiveAsync(ada, student.Id));

        // An unknown code and a used one are answered in words and leave the contact off.
        await chat.WriteAsync("/start ZZZZZZZZZZ");
        await chat.WaitForAsync("That code did not work");
        Assert.Contains("telegram", await InactiveAsync(ada, student.Id));

        var code = await IssueCodeAsync(ada, student.Id);
        await chat.WriteAsync($"/start {code}");
        await chat.WaitForAsync("Done! You are linked as", $"Person {student.Id}", "Messages reach you on: Telegram");
        Assert.DoesNotContain("telegram", await InactiveAsync(ada, student.Id));

        await chat.WriteAsync("/stop");
        await Eventually.WaitAsync(async () => (await InactiveAsync(ada, student.Id)).Contains("telegram"), TimeSpan.FromSeconds(30), "/stop again");
        await chat.WriteAsync($"/start {code}");
        await Eventually.WaitAsync(async () => (await chat.BotMessagesAsync()).Count(m => SandboxChat.Text(m).StartsWith("That code did not work", StringComparison.Ordinal)) == 2,
            TimeSpan.FromSeconds(30), "the used code to be refused");
        Assert.Contains("telegram", await InactiveAsync(ada, student.Id));

        // A chat nobody linked is told how to link, in its app's language.
        var stranger = new SandboxChat(ada, chatId + 1, "en");
        await stranger.WriteAsync("hello");
        await stranger.WaitForAsync("This chat is not linked to Ada yet", "/start CODE");

        // Command menus: the students' for everyone, the senders' in a teacher's own chat, each in Russian and English.
        var teacherChat = new SandboxChat(ada, chatId + 2);
        await teacherChat.WriteAsync($"/start {await IssueCodeAsync(ada, teacher.Id)}");
        await teacherChat.WaitForAsync("Готово", $"Person {teacher.Id}");
        var menus = await Eventually.WaitAsync(() => ada.SandboxHttp.GetFromJsonAsync<JsonArray>("/sandbox/telegram/commands")!,
            lists => lists!.Count == 4, TimeSpan.FromSeconds(30), "the default menus and the teacher's");
        string Menu(string scope, string language) => string.Join(' ', menus!.Single(l => l!["scope"]!["type"]!.GetValue<string>() == scope
            && l["languageCode"]!.GetValue<string>() == language)!["commands"]!.AsArray().Select(c => c!["description"]!.GetValue<string>()));
        Assert.Contains("Куда приходят сообщения", Menu("default", ""), StringComparison.Ordinal);
        Assert.Contains("Where messages reach you", Menu("default", "en"), StringComparison.Ordinal);
        Assert.Contains("Написать группам и потокам", Menu("chat", ""), StringComparison.Ordinal);
        Assert.Contains("Write to groups and streams", Menu("chat", "en"), StringComparison.Ordinal);

        // The teacher's chat linked to a student is a student's chat: its own menus go, the students' default shows.
        var other = new Person("re-s2");
        await People.ImportAsync(ada, [student, teacher, other]);
        await teacherChat.WriteAsync($"/start {await IssueCodeAsync(ada, other.Id)}");
        await teacherChat.WaitForAsync("Готово", $"Person {other.Id}");
        await Eventually.WaitAsync(() => ada.SandboxHttp.GetFromJsonAsync<JsonArray>("/sandbox/telegram/commands")!,
            lists => lists!.Count == 2 && lists.All(l => l!["scope"]!["type"]!.GetValue<string>() == "default"),
            TimeSpan.FromSeconds(30), "the teacher's chat menus to be removed");
    }

    [Fact]
    public async Task LinkCode_AsAQrCode_IsAnSvgOrPngOfTheDeepLink()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 0, bot: "polling");
        await People.ImportAsync(ada, [new Person("qr-s1")]);
        var svg = await Eventually.WaitAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users/qr-s1/link-codes");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/svg+xml"));
            using var response = await ada.Admin.SendAsync(request);
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode != HttpStatusCode.Conflict, TimeSpan.FromSeconds(30), "the bot's username from getMe");
        Assert.Equal(HttpStatusCode.Created, svg.StatusCode);
        Assert.Equal("image/svg+xml", svg.MediaType);
        Assert.Contains("<svg", svg.Item3, StringComparison.Ordinal);

        using var pngRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/users/qr-s1/link-codes");
        pngRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/png"));
        using var png = await ada.Admin.SendAsync(pngRequest);
        Assert.Equal(HttpStatusCode.Created, png.StatusCode);
        var bytes = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    [Fact]
    public async Task StudentWhoBlocksTheBot_IsMarkedInactiveOnTelegramAtOnce()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 0, bot: "polling");
        var (student, chat) = await ImportStudentWithChatAsync(ada, "blk-s1", chatBase: 8_300_000);
        await chat.WriteAsync("/status");
        await chat.WaitForAsync($"Вы — Person {student.Id}", "Telegram");

        await chat.BlockAsync();

        await Eventually.WaitAsync(async () => (await InactiveAsync(ada, student.Id)).Contains("telegram"),
            TimeSpan.FromSeconds(30), "the blocked student's Telegram contact to become inactive");
    }

    [Fact]
    public async Task Teacher_SendsToAGroupThroughTheConversation_TheStatusMessageEndsWithTheFinalCounts_AndOverTheQuotaIsRefusedInWords()
    {
        await using var ada = await AdaStack.StartAsync(redis, bot: "polling",
            api: new Dictionary<string, string> { ["Limits__Teacher__MessagesPerHour"] = "1" });
        var teacherChat = 8_400_000L + Random.Shared.Next(100_000);
        var teacher = new Person("conv-t1", Telegram: teacherChat.ToString(System.Globalization.CultureInfo.InvariantCulture), Role: "teacher");
        var students = Enumerable.Range(1, 3)
            .Select(i => new Person($"conv-s{i}", Telegram: (8_500_000 + i * 10 + Random.Shared.Next(10)).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Append(new Person("conv-s4"))
            .ToList();
        await People.ImportAsync(ada, [teacher, .. students],
            ("conv-g1", "КОНВ-21", students, [teacher.Id]), ("conv-g2", "ЧУЖАЯ-22", students, []));
        var chat = new SandboxChat(ada, teacherChat);

        await chat.WriteAsync("/send");
        var picker = await chat.WaitForAsync("Кому?");
        Assert.Contains("КОНВ-21", SandboxChat.Buttons(picker));
        Assert.DoesNotContain("ЧУЖАЯ-22", SandboxChat.Buttons(picker));
        await chat.PressAsync(SandboxChat.MessageId(picker), "КОНВ-21");
        await chat.WaitForAsync("Кому: КОНВ-21");
        await chat.PressAsync(SandboxChat.MessageId(picker), "Готово");
        await chat.WaitForAsync("напишите текст сообщения");
        await chat.WriteAsync("Контрольная в пятницу");
        var when = await chat.WaitForAsync("Когда отправить?");
        await chat.PressAsync(SandboxChat.MessageId(when), "Сейчас");
        var summary = await chat.WaitForAsync("Проверьте и отправьте", "Получателей: 4", "Telegram 3", "Ни в одном канале: 1");
        var code = SandboxChat.Text(summary).Split("Код сообщения: ")[1].Trim();
        await chat.PressAsync(SandboxChat.MessageId(summary), "✅ Отправить");

        // The summary becomes the status message and is edited until the final counts.
        var status = await chat.WaitForAsync($"Сообщение {code}: доставлено", "Telegram 3/3");
        Assert.Equal(SandboxChat.MessageId(summary), SandboxChat.MessageId(status));
        Assert.Contains("Без контакта в канале: 1", SandboxChat.Text(status), StringComparison.Ordinal);
        foreach (var student in students.Where(s => s.Telegram is not null))
        {
            var inbox = await ada.InboxAsync(student.Telegram);
            Assert.Single(inbox, m => m!["text"]!.GetValue<string>() == "Контрольная в пятницу");
        }
        var history = await ada.Admin.GetFromJsonAsync<JsonArray>("/v1/history?sender=conv-t1");
        var sent = Assert.Single(history!)!;
        Assert.Equal("telegram", sent["origin"]!.GetValue<string>());
        Assert.Equal(code, sent["shortId"]!.GetValue<string>());

        await chat.WriteAsync("/history");
        await chat.WaitForAsync(code, "доставлено", "Контрольная в пятницу");

        // The teacher's limit is one message an hour: the next one is refused in a sentence, nothing queued.
        await chat.WriteAsync("Ещё одно сообщение");
        var picker2 = await chat.WaitForAsync("Кому?", "Ещё одно");
        await chat.PressAsync(SandboxChat.MessageId(picker2), "КОНВ-21");
        await chat.PressAsync(SandboxChat.MessageId(picker2), "Готово");
        var when2 = await chat.WaitForAsync("Когда отправить?", "Ещё одно сообщение");
        await chat.PressAsync(SandboxChat.MessageId(when2), "Сейчас");
        var summary2 = await chat.WaitForAsync("Проверьте и отправьте", "Ещё одно сообщение");
        await chat.PressAsync(SandboxChat.MessageId(summary2), "✅ Отправить");
        await chat.WaitForAsync("Не отправлено.", "Лимит: 1 сообщение в час");
        Assert.Single((await ada.Admin.GetFromJsonAsync<JsonArray>("/v1/history?sender=conv-t1"))!);
    }

    [Fact]
    public async Task Webhook_ActsOnAnUpdateOnce_AndRefusesAWrongSecret()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 0, bot: "webhook");
        var (student, chat) = await ImportStudentWithChatAsync(ada, "wh-s1", chatBase: 8_600_000);
        await Eventually.WaitAsync(async () =>
            (await ada.SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/telegram/updates"))!["webhookUrl"]?.GetValue<string>()
                == new Uri(ada.ApiAddress, "/v1/telegram/webhook").ToString(),
            TimeSpan.FromSeconds(30), "the API to set its webhook");

        var updateId = await chat.WriteAsync("/status");
        await chat.WaitForAsync($"Вы — Person {student.Id}");
        Assert.Single(await chat.BotMessagesAsync());

        // Telegram sends the same update again (its answer was lost): 200, and nothing is done twice.
        using var redelivered = await ada.SandboxHttp.PostAsync($"/sandbox/telegram/updates/{updateId}/redeliver", null);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        var attempt = (await redelivered.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(200, attempt["status"]!.GetValue<int>());
        Assert.True(attempt["secretTokenSent"]!.GetValue<bool>());
        Assert.Single(await chat.BotMessagesAsync());

        var update = System.Text.Json.JsonSerializer.Serialize(new
        {
            update_id = updateId + 1000,
            message = new
            {
                message_id = 1, date = 1_732_365_600, text = "/stop",
                chat = new { id = chat.Id, type = "private" }, from = new { id = chat.Id, is_bot = false, first_name = "X" },
            },
        });
        using var anonymous = new HttpClient { BaseAddress = ada.ApiAddress };
        foreach (var secret in new[] { null, "wrong-secret", AdaStack.TelegramWebhookSecret + "x" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/telegram/webhook")
            {
                Content = new StringContent(update, Encoding.UTF8, "application/json"),
            };
            if (secret is not null)
            {
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
            }
            using var response = await anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.DoesNotContain("telegram", await InactiveAsync(ada, student.Id));
    }

    [Fact]
    public async Task TwoApiInstances_ExactlyOnePolls_AndTheOtherTakesOverWhenThePollerIsKilled()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 0, bot: "polling");
        await ada.StartApiInstanceAsync();
        var chatId = 8_700_000L + Random.Shared.Next(100_000);
        var student = new Person("poll-s1", Telegram: chatId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await People.ImportAsync(ada, [student]);
        var chat = new SandboxChat(ada, chatId);

        for (var i = 1; i <= 3; i++)
        {
            await chat.WriteAsync("/status");
            await Eventually.WaitAsync(async () => (await chat.BotMessagesAsync()).Count == i, TimeSpan.FromSeconds(30), $"answer {i}");
        }
        var poller = await PollerAsync(ada);
        Assert.Contains(poller, ada.Apis);
        var updates = await ada.SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/telegram/updates");
        Assert.Equal(0, updates!["conflicts"]!.GetValue<long>());

        poller.Kill();
        await chat.WriteAsync("/status");
        await Eventually.WaitAsync(async () => (await chat.BotMessagesAsync()).Count == 4, Takeover, "the other instance to answer");
        var next = await PollerAsync(ada);
        Assert.NotSame(poller, next);
        Assert.False(next.HasExited);
        Assert.Equal(4, (await chat.BotMessagesAsync()).Count);
    }

    /// <summary>The API instance whose process id is in the poller lease (<c>telegram:poller</c> = machine:pid:guid).</summary>
    private static async Task<ServiceProcess> PollerAsync(AdaStack ada)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(ada.Redis.ConnectionString);
        var holder = await Eventually.WaitAsync(async () => (string?)await mux.GetDatabase(ada.Database).StringGetAsync("telegram:poller"),
            h => h is not null && ada.Apis.Any(a => !a.HasExited && h.Split(':')[1] == a.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Takeover, "a live API instance holding the poller lease");
        return ada.Apis.Single(a => holder!.Split(':')[1] == a.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A student whose Telegram is a chat of the sandbox (a random id above <paramref name="chatBase"/>, so runs do not
    /// share chats), imported, and that chat.
    /// </summary>
    private static async Task<(Person Student, SandboxChat Chat)> ImportStudentWithChatAsync(AdaStack ada, string id, long chatBase)
    {
        var chatId = chatBase + Random.Shared.Next(100_000);
        var student = new Person(id, Telegram: chatId.ToString(CultureInfo.InvariantCulture));
        await People.ImportAsync(ada, [student]);
        return (student, new SandboxChat(ada, chatId));
    }

    private static async Task<long> OpenDeepLinkAsync(AdaStack ada, string code)
    {
        using var http = ada.SandboxClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync($"/sandbox/telegram/t.me/{AdaStack.BotUsername}?start={code}&languageCode=ru");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        return long.Parse(location[(location.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> IssueCodeAsync(AdaStack ada, string userId)
    {
        using var issued = await ada.Admin.PostAsync($"/v1/users/{userId}/link-codes", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        return (await issued.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>();
    }

    private static async Task<List<string>> InactiveAsync(AdaStack ada, string userId)
    {
        var user = await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/users/{userId}");
        return user!["inactive"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [];
    }
}
