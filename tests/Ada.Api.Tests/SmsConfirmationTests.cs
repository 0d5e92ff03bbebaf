using System.Text.RegularExpressions;
using Ada.Api.Sms;

namespace Ada.Api.Tests;

/// <summary>
/// Issue 14, point 5: a message sent by SMS to more than <c>Sms:ConfirmAbove</c> people waits for
/// <c>YES code</c> / <c>ДА code</c> from the same number; a forged number does not see the code.
/// t1's "ИВТ-21, ИВТ-22" reaches 3 people; the threshold here is 2.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed partial class SmsConfirmationTests(RedisServer redis) : SmsApiTest(redis)
{
    private const string Staff = "+79990000002";
    private const string ToMany = "ИВТ-21, ИВТ-22: Собрание в 15:00";

    private static readonly Dictionary<string, string?> ConfirmAboveTwo = new() { ["Sms:ConfirmAbove"] = "2" };

    [GeneratedRegex("^Ada: получателей: 3\\. Чтобы отправить, ответьте ДА (?<code>[2-9A-HJKMNP-Z]{5}) в течение 10 мин\\.$")]
    private static partial Regex QuestionRu();

    [GeneratedRegex("^Ada: 3 recipients\\. To send, reply YES (?<code>[2-9A-HJKMNP-Z]{5}) within 10 min\\.$")]
    private static partial Regex QuestionEn();

    private static string CodeIn(Regex question, string reply)
    {
        var match = question.Match(reply);
        Assert.True(match.Success, reply);
        return match.Groups["code"].Value;
    }

    /// <summary>t1 texts <paramref name="text"/>, is asked to confirm it, and answers the code the question names.</summary>
    private static async Task<string> AskedToConfirmAsync(SmsGatewayClient gateway, string text = ToMany, Regex? question = null)
    {
        Assert.Equal("confirm", await gateway.SmsAsync(Teacher, text));
        return CodeIn(question ?? QuestionRu(), await gateway.LastReplyAsync("t1"));
    }

    [Fact]
    public async Task ToMoreThanConfirmAbove_WaitsForYesFromTheSameNumber_ThenQueuesOnce()
    {
        var (app, gateway) = await StartAsync(ConfirmAboveTwo);

        Assert.Equal("confirm", await gateway.SmsAsync(Teacher, ToMany));
        Assert.Empty(await gateway.SentByAsync("t1"));
        var code = CodeIn(QuestionRu(), await gateway.LastReplyAsync("t1"));
        var ttl = await app.Db.KeyTimeToLiveAsync(Keys.SmsConfirmation(Teacher));
        Assert.True(ttl is { } t && t > TimeSpan.Zero && t <= TimeSpan.FromMinutes(10), $"TTL {ttl}");
        Assert.DoesNotContain(code, (await app.Db.HashGetAllAsync(Keys.SmsConfirmation(Teacher))).Select(e => e.Value.ToString()));

        // Lower case, Cyrillic look-alikes: typed on a Russian phone.
        var confirmation = SmsGatewayClient.Received(Teacher, "да " + code.ToLowerInvariant(), id: "confirm-envelope");
        using (var first = await gateway.PostAsync("/v1/sms/inbound", confirmation))
        {
            Assert.Equal("queued", (await ReadJsonAsync(first)).GetProperty("outcome").GetString());
        }
        var sent = Assert.Single(await gateway.SentByAsync("t1"));
        Assert.Equal(3, sent.GetProperty("recipients").GetInt32());
        Assert.Equal("Собрание в 15:00", sent.GetProperty("text").GetString());
        var shortId = sent.GetProperty("shortId").GetString()!;
        Assert.Equal($"Ada: принято, код {shortId}, получателей: 3, отправка сейчас. СТАТУС {shortId} / ОТМЕНА {shortId}",
            await gateway.LastReplyAsync("t1"));

        // The gateway's retry of the same webhook, and the teacher answering twice: still one message.
        using (var replayed = await gateway.PostAsync("/v1/sms/inbound", confirmation))
        {
            Assert.Equal("replayed", (await ReadJsonAsync(replayed)).GetProperty("outcome").GetString());
        }
        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "YES " + code));
        Assert.Single(await gateway.SentByAsync("t1"));
        Assert.Equal("Ada: нет сообщения, ждущего подтверждения (оно ждёт 10 мин). Отправьте его заново.", await gateway.LastReplyAsync("t1"));
    }

    [Fact]
    public async Task TwoConfirmationsAtOnce_QueueTheMessageOnce()
    {
        var (_, gateway) = await StartAsync(ConfirmAboveTwo);
        var code = await AskedToConfirmAsync(gateway);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => gateway.SmsAsync(Teacher, "YES " + code)));

        Assert.Equal(1, outcomes.Count(o => o == "queued"));
        Assert.Equal(3, outcomes.Count(o => o == "refused"));
        Assert.Single(await gateway.SentByAsync("t1"));
    }

    [Fact]
    public async Task WrongCode_AnswersAndQueuesNothing_TheRightCodeStillWorks()
    {
        var (_, gateway) = await StartAsync(ConfirmAboveTwo);
        var code = await AskedToConfirmAsync(gateway);
        var wrong = code[0] == '2' ? "3" + code[1..] : "2" + code[1..];

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "ДА " + wrong));

        Assert.Empty(await gateway.SentByAsync("t1"));
        Assert.Equal("Ada: неверный код, ничего не отправлено. Код — в ответе Ada на ваше сообщение.", await gateway.LastReplyAsync("t1"));
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "ДА " + code));
        Assert.Single(await gateway.SentByAsync("t1"));
    }

    [Fact]
    public async Task ManyWrongCodes_BlockTheNumber_EvenWithTheRightCode()
    {
        var (_, gateway) = await StartAsync(new Dictionary<string, string?>(ConfirmAboveTwo) { ["Attempts:MaxFailures"] = "3" });
        var code = await AskedToConfirmAsync(gateway);
        var wrong = code[0] == '2' ? "3" + code[1..] : "2" + code[1..];

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("refused", await gateway.SmsAsync(Teacher, "YES " + wrong));
        }
        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "YES " + code));

        Assert.Empty(await gateway.SentByAsync("t1"));
        Assert.Equal("Ada: слишком много неверных кодов, ничего не отправлено. Попробуйте позже.", await gateway.LastReplyAsync("t1"));
    }

    [Fact]
    public async Task ExpiredConfirmation_AnswersAndQueuesNothing()
    {
        var (app, gateway) = await StartAsync(ConfirmAboveTwo);
        var code = await AskedToConfirmAsync(gateway);

        // Let Redis expire it now rather than in 10 minutes.
        await app.Db.KeyExpireAsync(Keys.SmsConfirmation(Teacher), TimeSpan.FromMilliseconds(1));
        await Eventually.WaitAsync(async () => !await app.Db.KeyExistsAsync(Keys.SmsConfirmation(Teacher)),
            TimeSpan.FromSeconds(5), "the confirmation to expire");

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "ДА " + code));
        Assert.Empty(await gateway.SentByAsync("t1"));
        Assert.Equal("Ada: нет сообщения, ждущего подтверждения (оно ждёт 10 мин). Отправьте его заново.", await gateway.LastReplyAsync("t1"));
    }

    [Fact]
    public async Task ConfirmationFromAnotherNumber_DoesNothingToTheWaitingMessage()
    {
        var (_, gateway) = await StartAsync(ConfirmAboveTwo);
        var code = await AskedToConfirmAsync(gateway);

        // Even with the right code (a forger would have to guess it): the staff number has nothing waiting.
        Assert.Equal("refused", await gateway.SmsAsync(Staff, "YES " + code));

        Assert.Empty(await gateway.SentByAsync("t1"));
        Assert.Empty(await gateway.SentByAsync("st1"));
        Assert.StartsWith("Ada: нет сообщения, ждущего подтверждения", await gateway.LastReplyAsync("st1"), StringComparison.Ordinal);
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "YES " + code));
        Assert.Single(await gateway.SentByAsync("t1"));
    }

    [Fact]
    public async Task ANewMessageToMany_ReplacesTheWaitingOne()
    {
        var (_, gateway) = await StartAsync(ConfirmAboveTwo);
        var first = await AskedToConfirmAsync(gateway);
        var second = await AskedToConfirmAsync(gateway, "Поток ИВТ: второе");

        Assert.Equal("refused", await gateway.SmsAsync(Teacher, "YES " + first));
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "YES " + second));

        Assert.Equal("второе", Assert.Single(await gateway.SentByAsync("t1")).GetProperty("text").GetString());
    }

    [Fact]
    public async Task AtOrUnderConfirmAbove_IsQueuedAtOnce_AndTheDefaultIsThirty()
    {
        var (_, gateway) = await StartAsync(new Dictionary<string, string?> { ["Sms:ConfirmAbove"] = "3" });
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, ToMany));
        Assert.Equal(30, new SmsOptions().ConfirmAbove);
    }

    [Fact]
    public async Task EnglishSpeakingTeacher_IsAskedInEnglish()
    {
        var (app, gateway) = await StartAsync(ConfirmAboveTwo);
        await app.PutAsync("/v1/users/t1", """{"name":"t1","role":"teacher","contacts":{"sms":"+79990000001"},"language":"en"}""");

        var code = await AskedToConfirmAsync(gateway, question: QuestionEn());
        Assert.Equal("queued", await gateway.SmsAsync(Teacher, "YES " + code));
    }
}
