using Ada.Api.Sms;

namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class SmsInboundTests(RedisServer redis) : SmsApiTest(redis)
{
    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string CodeIn(string reply)
    {
        var match = System.Text.RegularExpressions.Regex.Match(reply, "^Ada: (принято, код|queued) (?<code>[2-9A-HJKMNP-Z]{5})[, ]");
        Assert.True(match.Success, reply);
        return match.Groups["code"].Value;
    }

    [Fact]
    public async Task Inbound_TeacherToTwoGroupsByName_QueuesOneMessageWithOriginSmsAndAnswersWithACode()
    {
        var (app, gateway) = (App, Gateway);

        Assert.Equal("queued", await gateway.SmsAsync("8 (999) 000-00-01", "ИВТ-21, ивт-22: Лекция переносится в 301"));

        var sent = Assert.Single(await gateway.SentByAsync("t1"));
        Assert.Equal("sms", sent.GetProperty("origin").GetString());
        Assert.Equal("Лекция переносится в 301", sent.GetProperty("text").GetString());
        Assert.Equal(["ivt-21", "ivt-22"], Strings(sent.GetProperty("to").GetProperty("groups")));
        Assert.Equal(3, sent.GetProperty("recipients").GetInt32());
        Assert.Equal(["telegram", "sms"], Strings(sent.GetProperty("expectedChannels")));
        Assert.Equal(1, sent.GetProperty("segments").GetProperty("sms").GetInt32());
        Assert.False(sent.GetProperty("urgent").GetBoolean());

        var reply = await gateway.LastReplyAsync("t1");
        var code = CodeIn(reply);
        Assert.Equal(code, sent.GetProperty("shortId").GetString());
        Assert.Equal($"Ada: принято, код {code}, получателей: 3, отправка сейчас. СТАТУС {code} / ОТМЕНА {code}", reply);
        Assert.Equal(sent.GetProperty("id").GetString(), (await app.Db.StringGetAsync(Keys.ShortId("t1", code))).ToString());
    }

    [Fact]
    public async Task Inbound_LookalikeLettersAndSupergroupName_MatchTheGroup()
    {
        var gateway = Gateway;

        // "ivт-21" with a Cyrillic т, spaces inside; the stream by its Cyrillic name in another case.
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "iv т - 21: first"));
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "поток ивт: second"));

        var sent = await gateway.SentByAsync("t1");
        Assert.Equal(["ivt-21"], Strings(sent[0].GetProperty("to").GetProperty("groups")));
        Assert.Equal(["ivt-stream"], Strings(sent[1].GetProperty("to").GetProperty("supergroups")));
        Assert.Equal(3, sent[1].GetProperty("recipients").GetInt32());
    }

    [Fact]
    public async Task Inbound_NameOfSeveralGroups_TakesTheSendersOwnOrAsksForTheId()
    {
        await App.PutAsync("/v1/groups/ivt-21-old", """{"name":"ИВТ-21","members":["u4"],"owners":["st1"]}""");

        Assert.Equal("queued", await Gateway.SmsAsync(Teacher, "ИВТ-21: mine"));
        Assert.Equal(["ivt-21"], Strings((await Gateway.SentByAsync("t1"))[0].GetProperty("to").GetProperty("groups")));

        await App.PutAsync("/v1/groups/ivt-21-b", """{"name":"ивт - 21","members":["u4"],"owners":["t1"]}""");
        Assert.Equal("refused", await Gateway.SmsAsync(Teacher, "ИВТ-21: which one"));
        Assert.Contains("Неоднозначно, укажите id: ИВТ-21 (", await Gateway.LastReplyAsync("t1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbound_AfterTheTeachersNumberChanged_OnlyTheNewNumberIsKnown()
    {
        await App.PutAsync("/v1/users/t1", """{"name":"t1","role":"teacher","contacts":{"sms":"+79990000099"}}""");

        Assert.Equal("unknown_sender", await Gateway.SmsAsync(Teacher, "ИВТ-21: old number"));
        Assert.Equal("queued", await Gateway.SmsAsync("+79990000099", "ИВТ-21: new number"));
    }

    [Fact]
    public async Task Inbound_AtLogin_QueuesToThatPerson()
    {
        var gateway = Gateway;

        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "@Petrov зайдите на кафедру"));

        var sent = Assert.Single(await gateway.SentByAsync("t1"));
        Assert.Equal(["petrov"], Strings(sent.GetProperty("to").GetProperty("users")));
        Assert.Equal("зайдите на кафедру", sent.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Inbound_GroupNotOwned_AnswersWhyAndQueuesNothingForTheGroup()
    {
        var (app, gateway) = (App, Gateway);

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "ИВТ-21, ИВТ-23: text"));

        Assert.Empty(await gateway.SentByAsync("t1"));
        var reply = await gateway.LastReplyAsync("t1");
        Assert.Equal("Ada: не отправлено. Писать можно только своим группам и потокам. Нет в справочнике или не ваши: группы ivt-23.", reply);
        Assert.DoesNotContain(await app.KeysAsync(), k => k.StartsWith("shortid:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inbound_TeacherWhoseLanguageIsEnglish_IsAnsweredInEnglish()
    {
        var gateway = Gateway;
        await App.PutAsync("/v1/users/t1", """{"name":"t1","role":"teacher","contacts":{"sms":"+79990000001"},"language":"en"}""");

        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "ИВТ-21: hello"));
        var code = CodeIn(await gateway.LastReplyAsync("t1"));
        Assert.Equal($"Ada: queued {code} to 2 recipients, delivery now. STATUS {code} / CANCEL {code}", await gateway.LastReplyAsync("t1"));

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "ИВТ-23: not mine"));
        Assert.Equal("Ada: not sent. You may write only to your own groups and streams. Not in the directory or not yours: groups ivt-23.",
            await gateway.LastReplyAsync("t1"));

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "hello"));
        Assert.Equal($"Not understood. {SmsReplies.Grammar}", await gateway.LastReplyAsync("t1"));
    }

    [Fact]
    public async Task Inbound_UnknownGroup_AnswersWithTheNameAndQueuesNothing()
    {
        var gateway = Gateway;

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "ИВТ-99, @nobody: text"));

        Assert.Empty(await gateway.SentByAsync("t1"));
        var reply = await gateway.LastReplyAsync("t1");
        Assert.Equal("Ada: не отправлено. Не найдены: ИВТ-99, @nobody. Формат: ПОМОЩЬ.", reply);
    }

    [Fact]
    public async Task Inbound_OverTheHourlyQuota_AnswersWithTheLimit()
    {
        var (_, gateway) = await StartAsync(new Dictionary<string, string?> { ["Limits:Teacher:MessagesPerHour"] = "1" });

        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "ИВТ-21: one"));
        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "ИВТ-21: two"));

        Assert.Single(await gateway.SentByAsync("t1"));
        var reply = await gateway.LastReplyAsync("t1");
        Assert.Matches(@"^Ada: не отправлено\. Лимит: 1 сообщение в час\. Следующее можно отправить в (\d\d\.\d\d )?\d\d:\d\d\.$", reply); // with its date after 23:00
    }

    [Fact]
    public async Task Inbound_ManySmsInAnHour_AreActedOnButAnsweredOnlyUpToTheLimit()
    {
        var (app, gateway) = await StartAsync(new Dictionary<string, string?> { ["Sms:RepliesPerHour"] = "2" });

        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal("queued", await gateway.SmsAsync(Teacher, $"ИВТ-21: note {i}"));
        }
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal("refused", await gateway.SmsAsync("+79990000003", $"ИВТ-21: hi {i}"));
        }

        Assert.Equal(4, (await gateway.SentByAsync("t1")).Count);
        Assert.Equal(2, (await gateway.RepliesToAsync("t1")).Count);
        Assert.Equal(2, (await gateway.RepliesToAsync("s1")).Count);
        var ttl = await app.Db.KeyTimeToLiveAsync(Keys.SmsReplies("t1"));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Inbound_TextOverTheSegmentCap_AnswersWithTheCountAndQueuesNothing()
    {
        var gateway = Gateway;
        await CapAsync(2);

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "ИВТ-21: " + new string('ж', 150)));

        Assert.Empty(await gateway.SentByAsync("t1"));
        var reply = await gateway.LastReplyAsync("t1");
        Assert.Equal("Ada: не отправлено. Текст займёт 3 SMS, а можно не больше 2. В SMS с кириллицей 67 знаков. Сократите текст.", reply);
    }

    [Fact]
    public async Task Inbound_UnknownNumber_AnswersOkAndWritesNothing()
    {
        var (app, gateway) = (App, Gateway);

        Assert.Equal("unknown_sender", await gateway.SmsAsync("+79995550000", "ИВТ-21: hello"));
        Assert.Equal("unknown_sender", await gateway.SmsAsync("+79995550000", "ИВТ-21: hello again"));

        await AssertNothingQueuedAsync(app);
    }

    [Fact]
    public async Task Inbound_Student_IsAnsweredWithARefusal()
    {
        var gateway = Gateway;

        Assert.Equal("refused", await gateway.SmsAsync("+79990000003", "ИВТ-21: hello"));

        Assert.Empty(await gateway.SentByAsync("s1"));
        Assert.Equal("Ada: студентам отправка сообщений недоступна.", await gateway.LastReplyAsync("s1"));
    }

    [Fact]
    public async Task Inbound_NotUnderstood_AnswersWithTheGrammar()
    {
        var gateway = Gateway;

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "hello there"));
        Assert.Equal("help", await gateway.SmsAsync(Teacher, "помощь"));

        Assert.Empty(await gateway.SentByAsync("t1"));
        var replies = await gateway.RepliesToAsync("t1");
        Assert.Equal(2, replies.Count);
        Assert.All(replies, r => Assert.Contains("«ГРУППА, ГРУППА: текст»", r.GetProperty("text").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inbound_StatusByShortId_FollowsTheMessage()
    {
        var (app, gateway) = (App, Gateway);
        await gateway.SmsAsync(Teacher, "ИВТ-21: Завтра пары не будет");
        var code = CodeIn(await gateway.LastReplyAsync("t1"));
        var id = (await gateway.SentByAsync("t1"))[0].GetProperty("id").GetString()!;

        Assert.Equal("status", await gateway.SmsAsync(Teacher, $"status {code.ToLowerInvariant()}"));
        Assert.StartsWith($"{code}: запланировано на ", await gateway.LastReplyAsync("t1"), StringComparison.Ordinal);

        Assert.Equal("ok", await Courier.ClaimAsync(app, id));
        Assert.Equal("ok", await Courier.ReportAsync(app, id, ["u1", "u2"]));
        Assert.Equal("ok", await Courier.ClaimAsync(app, id, "sms"));
        Assert.Equal("ok", await Courier.ReportAsync(app, id, ["u1"], "sms"));

        Assert.Equal("status", await gateway.SmsAsync(Teacher, $"СТАТУС {code}"));
        Assert.Equal($"{code}: завершено — отправлено 3, ошибок 0, без контакта 0 (telegram 2/0/0, sms 1/0/0)", await gateway.LastReplyAsync("t1"));
    }

    [Fact]
    public async Task Inbound_StatusOfAnotherSendersCode_SaysUnknown()
    {
        var gateway = Gateway;
        Assert.Equal("queued", await gateway.SmsAsync("+79990000002", "ИВТ-23: staff news"));
        var code = CodeIn(await gateway.LastReplyAsync("st1"));

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, $"STATUS {code}"));
        Assert.Equal("refused", await gateway.SmsAsync(Teacher, $"CANCEL {code}"));

        Assert.Equal($"Ada: у вас нет сообщения с кодом {code}. Коды действуют 30 дней.", await gateway.LastReplyAsync("t1"));
        Assert.Equal("scheduled", (await gateway.SentByAsync("st1"))[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Inbound_StaffCancelOfATeachersMessage_ChangesNothing()
    {
        var gateway = Gateway;
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "ИВТ-22: Консультация отменяется"));
        var id = (await gateway.SentByAsync("t1"))[0].GetProperty("id").GetString()!;

        // A forged staff number must not cancel another sender's message, even by its full id.
        Assert.Equal("refused", await gateway.SmsAsync("+79990000002", $"CANCEL {id}"));

        Assert.Equal("scheduled", (await gateway.SentByAsync("t1"))[0].GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("CANCEL {0}")]
    [InlineData("отмена {0}")]
    public async Task Inbound_CancelByShortId_CancelsTheMessage(string command)
    {
        var gateway = Gateway;
        await gateway.SmsAsync(Teacher, "ИВТ-22: Консультация отменяется");
        var code = CodeIn(await gateway.LastReplyAsync("t1"));

        Assert.Equal("cancel", await gateway.SmsAsync(Teacher, string.Format(CultureInfo.InvariantCulture, command, code)));

        Assert.Equal("cancelled", (await gateway.SentByAsync("t1"))[0].GetProperty("state").GetString());
        Assert.Equal($"Ada: {code} отменено.", await gateway.LastReplyAsync("t1"));

        Assert.Equal("cancel", await gateway.SmsAsync(Teacher, $"CANCEL {code}"));
        Assert.Equal($"Ada: {code} уже отменено.", await gateway.LastReplyAsync("t1"));
    }

    [Fact]
    public async Task Inbound_InsideQuietHours_TheMessageWaitsButTheAnswerDoesNot()
    {
        var moscowNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(3));
        var window = $"{moscowNow.AddHours(-1):HH:mm}-{moscowNow.AddHours(2):HH:mm}";
        var (_, gateway) = await StartAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = window });

        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "ИВТ-21: late news"));

        var sent = Assert.Single(await gateway.SentByAsync("t1"));
        Assert.Equal("quiet-hours", sent.GetProperty("rescheduled").GetProperty("reason").GetString());
        var reply = Assert.Single(await gateway.RepliesToAsync("t1"));
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("rescheduled").ValueKind);
        Assert.Contains("(после тихих часов)", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbound_BadSignature_Returns401AndWritesNothing()
    {
        var (app, gateway) = (App, Gateway);
        var body = SmsGatewayClient.Received(Teacher, "ИВТ-21: hi");
        var now = SmsGatewayClient.Now();

        using var wrongKey = await gateway.PostAsync("/v1/sms/inbound", body, now, SmsGatewayClient.Signature(body, now, "other-key"));
        await ProblemAsync(wrongKey, HttpStatusCode.Unauthorized);
        using var tampered = await gateway.PostAsync("/v1/sms/inbound", body.Replace("hi", "ho", StringComparison.Ordinal), now,
            SmsGatewayClient.Signature(body, now));
        await ProblemAsync(tampered, HttpStatusCode.Unauthorized);
        using var notHex = await gateway.PostAsync("/v1/sms/inbound", body, now, "zz");
        await ProblemAsync(notHex, HttpStatusCode.Unauthorized);

        await AssertNothingQueuedAsync(app);
        Assert.DoesNotContain(await app.KeysAsync(), k => k.StartsWith("sms:envelope:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(400)]
    public async Task Inbound_TimestampMoreThanFiveMinutesOff_Returns401(int offsetSeconds)
    {
        var (app, gateway) = (App, Gateway);
        var body = SmsGatewayClient.Received(Teacher, "ИВТ-21: hi");
        var stamp = DateTimeOffset.UtcNow.AddSeconds(offsetSeconds).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        using var response = await gateway.PostAsync("/v1/sms/inbound", body, stamp);

        Assert.Contains("X-Timestamp", Detail(await ProblemAsync(response, HttpStatusCode.Unauthorized)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(app);
    }

    [Fact]
    public async Task Inbound_SameEnvelopeTwice_ActsOnce()
    {
        var gateway = Gateway;
        var body = SmsGatewayClient.Received(Teacher, "ИВТ-21: once", id: "Ey6ECgOkVVFjz3CL48B8C");

        using var first = await gateway.PostAsync("/v1/sms/inbound", body);
        using var again = await gateway.PostAsync("/v1/sms/inbound", body);

        Assert.Equal("queued", (await ReadJsonAsync(first)).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("replayed", (await ReadJsonAsync(again)).GetProperty("outcome").GetString());
        Assert.Single(await gateway.SentByAsync("t1"));
        Assert.Single(await gateway.RepliesToAsync("t1"));
    }

    [Fact]
    public async Task Inbound_WithoutASigningKey_Returns403SayingWhatToSet()
    {
        var (_, gateway) = await StartAsync(withSigningKey: false);

        using var response = await gateway.PostAsync("/v1/sms/inbound", SmsGatewayClient.Received(Teacher, "hi"));

        Assert.Contains("Sms__WebhookSigningKey", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbound_OtherEvent_Returns400()
    {
        var gateway = Gateway;

        using var response = await gateway.PostAsync("/v1/sms/inbound",
            SmsGatewayClient.Envelope("sms:delivered", new { messageId = "m1", phoneNumber = Teacher }));

        Assert.Contains("/v1/sms/reports", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesBothWebhooksUnderSms()
    {
        using var admin = App.Client();
        using var response = await admin.GetAsync("/openapi/v1.json");
        var paths = (await ReadJsonAsync(response)).GetProperty("paths");

        foreach (var path in new[] { "/v1/sms/inbound", "/v1/sms/reports" })
        {
            var post = paths.GetProperty(path).GetProperty("post");
            Assert.Equal(["SMS"], Strings(post.GetProperty("tags")));
            Assert.Contains(post.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "X-Signature");
        }
    }
}
