namespace Ada.EndToEnd.Tests;

/// <summary>
/// The bot's status message of a message sent through it is followed through Redis (<c>telegram:follows</c>),
/// not in the memory of the API instance that queued it: a message due later is followed when due, and a
/// follow whose instance is killed is finished by another.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TelegramStatusFollowTests(RedisServer redis)
{
    [Fact]
    public async Task MessageForTomorrowMorning_WaitsInRedis_AndWhenItFallsDueTheStatusMessageEndsWithTheFinalCounts()
    {
        await using var ada = await AdaStack.StartAsync(redis, bot: "polling");
        var (chat, students) = await TeacherWithGroupAsync(ada, "fl1", 2);

        var (statusId, code) = await SendThroughTheBotAsync(chat, "Завтра в 08:00", "Консультация завтра");
        await chat.WaitForAsync($"Сообщение {code}: запланировано на ");
        var id = await MessageIdAsync(ada, "fl1-t");
        await using var mux = await ConnectionMultiplexer.ConnectAsync(ada.Redis.ConnectionString);
        var db = mux.GetDatabase(ada.Database);
        var history = (await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/history/{id}"))!;
        var deliverAtMs = history["deliverAtMs"]!.GetValue<long>();
        Assert.True(deliverAtMs > DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), "tomorrow 08:00 is more than an hour away");
        Assert.Equal(deliverAtMs - 5_000, await db.SortedSetScoreAsync("telegram:follows", id));
        Assert.Equal(SandboxChat.MessageId(await chat.WaitForAsync(code)), statusId);

        // The morning comes early: the message is moved to a few seconds from now, and followed when due.
        using var moved = await ada.Admin.PostAsJsonAsync($"/v1/queue/{id}/reschedule",
            new { sendAt = DateTimeOffset.UtcNow.AddSeconds(3).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var status = await chat.WaitForAsync(TimeSpan.FromSeconds(90), $"Сообщение {code}: доставлено", "Telegram 2/2");
        Assert.Equal(statusId, SandboxChat.MessageId(status));
        foreach (var student in students)
        {
            Assert.Single(await ada.InboxAsync(student.Telegram), m => m!["text"]!.GetValue<string>() == "Консультация завтра");
        }
        // A follow that showed the final state is over: nothing of it stays in Redis.
        await Eventually.WaitAsync(async () => await db.SortedSetScoreAsync("telegram:follows", id) is null
                && !await db.KeyExistsAsync($"telegram:follow:{{{id}}}"),
            TimeSpan.FromSeconds(30), "the follow to end");
    }

    [Fact]
    public async Task FollowingApiInstanceIsKilledWhileTheMessageIsDelivered_AnotherInstanceEditsTheStatusToTheFinalCounts()
    {
        await using var ada = await AdaStack.StartAsync(redis, bot: "polling");
        await ada.StartApiInstanceAsync();
        var (chat, students) = await TeacherWithGroupAsync(ada, "fl2", 3);
        // No courier runs: the message is due and waits to be delivered while its status is followed.
        ada.Couriers[0].Kill();

        var (statusId, code) = await SendThroughTheBotAsync(chat, "Сейчас", "Аудитория сменилась");
        var id = await MessageIdAsync(ada, "fl2-t");
        var follower = await FollowerAsync(ada, id, except: null);
        follower.Kill();

        var next = await FollowerAsync(ada, id, except: follower);
        Assert.False(next.HasExited);
        await ada.StartCourierAsync();
        var status = await chat.WaitForAsync(TimeSpan.FromSeconds(60), $"Сообщение {code}: доставлено", "Telegram 3/3");
        Assert.Equal(statusId, SandboxChat.MessageId(status));
        foreach (var student in students)
        {
            Assert.Single(await ada.InboxAsync(student.Telegram), m => m!["text"]!.GetValue<string>() == "Аудитория сменилась");
        }
    }

    /// <summary>A teacher with a Telegram chat, owning a group of <paramref name="count"/> students on Telegram.</summary>
    private static async Task<(SandboxChat Chat, List<Person> Students)> TeacherWithGroupAsync(AdaStack ada, string prefix, int count)
    {
        var teacherChat = 8_800_000L + Random.Shared.Next(100_000);
        var teacher = new Person($"{prefix}-t", Telegram: teacherChat.ToString(CultureInfo.InvariantCulture), Role: "teacher");
        var students = Enumerable.Range(1, count)
            .Select(i => new Person($"{prefix}-s{i}", Telegram: (8_900_000 + Random.Shared.Next(100_000) * 10 + i).ToString(CultureInfo.InvariantCulture)))
            .ToList();
        await People.ImportAsync(ada, [teacher, .. students], ($"{prefix}-g", $"ГР-{prefix}", students, [teacher.Id]));
        return (new SandboxChat(ada, teacherChat), students);
    }

    /// <summary>Goes through <c>/send</c> to the teacher's group with the given "when" button; the status message's id and the code.</summary>
    private static async Task<(int StatusId, string Code)> SendThroughTheBotAsync(SandboxChat chat, string when, string text)
    {
        await chat.WriteAsync("/send");
        var picker = await chat.WaitForAsync("Кому?");
        var group = SandboxChat.Buttons(picker).First(b => b.Contains("ГР-", StringComparison.Ordinal));
        await chat.PressAsync(SandboxChat.MessageId(picker), group);
        await chat.WaitForAsync("Кому: ГР-");
        await chat.PressAsync(SandboxChat.MessageId(picker), "Готово");
        await chat.WaitForAsync("напишите текст сообщения");
        await chat.WriteAsync(text);
        var question = await chat.WaitForAsync("Когда отправить?");
        await chat.PressAsync(SandboxChat.MessageId(question), when);
        var summary = await chat.WaitForAsync("Проверьте и отправьте", text);
        var code = SandboxChat.Text(summary).Split("Код сообщения: ")[1].Trim();
        await chat.PressAsync(SandboxChat.MessageId(summary), "✅ Отправить");
        await chat.WaitForAsync($"Сообщение {code}: ");
        return (SandboxChat.MessageId(summary), code);
    }

    private static async Task<string> MessageIdAsync(AdaStack ada, string sender)
    {
        var history = await ada.Admin.GetFromJsonAsync<JsonArray>($"/v1/history?sender={sender}");
        return Assert.Single(history!)!["id"]!.GetValue<string>();
    }

    /// <summary>The live API instance (other than <paramref name="except"/>) whose process id is in the follow's lease (machine:pid:guid).</summary>
    private static async Task<ServiceProcess> FollowerAsync(AdaStack ada, string id, ServiceProcess? except)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(ada.Redis.ConnectionString);
        bool Holds(ServiceProcess api, string holder) =>
            api != except && !api.HasExited && holder.Split(':')[1] == api.ProcessId.ToString(CultureInfo.InvariantCulture);
        var holder = await Eventually.WaitAsync(
            async () => (string?)await mux.GetDatabase(ada.Database).StringGetAsync($"telegram:follow-lease:{{{id}}}"),
            h => h is not null && ada.Apis.Any(a => Holds(a, h)), TimeSpan.FromSeconds(30), "a live API instance holding the follow's lease");
        return ada.Apis.Single(a => Holds(a, holder!));
    }
}
