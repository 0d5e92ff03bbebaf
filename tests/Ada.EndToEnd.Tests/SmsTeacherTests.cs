using System.Text.RegularExpressions;

namespace Ada.EndToEnd.Tests;

/// <summary>A teacher without internet: an SMS to the gateway's phone queues a message; Ada answers by SMS.</summary>
/// <summary>Runs on one redis-server (<see cref="OnRedis"/>) and on a 3-primary Redis Cluster (<see cref="OnCluster"/>).</summary>
public abstract partial class SmsTeacherTests(IRedisEndpoint redis)
{
    [Fact]
    public async Task TeacherSms_ToTwoGroupsByName_ReachesEveryStudentOnEveryChannel_ConfirmsByShortId_AndAnswersStatus()
    {
        await using var ada = await AdaStack.StartAsync(redis, vk: true, sms: true);
        var teacher = new Person("t.sms", Sms: "+79995000900", Role: "teacher");
        var first = People.Students("sg1", seed: 21, count: 10);
        var second = People.Students("sg2", seed: 22, count: 5);
        // In both groups: still one message per channel.
        var both = first[3];
        await People.ImportAsync(ada, first.Concat(second).Append(teacher),
            ("sg-31", "ИВТ-31", first, [teacher.Id]),
            ("sg-32", "ИВТ-32", second.Append(both), [teacher.Id]));

        // Cyrillic group names, as typed on a Russian phone; the text after the first ':'.
        const string text = "Семинар переносится в 214";
        var delivery = await SendSmsAsync(ada, teacher.Sms!, $"ивт-31, ИВТ - 32: {text}");
        var confirmation = await WaitSmsAsync(ada, teacher.Sms!, 1);
        Assert.True(delivery == "queued", $"the API answered '{delivery}'; Ada's SMS: '{confirmation}'");
        var match = Queued().Match(confirmation);
        Assert.True(match.Success, $"the confirmation should name the code: '{confirmation}'");
        var code = match.Groups["code"].Value;
        Assert.Equal(15, int.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));

        var sent = await ada.Admin.GetFromJsonAsync<JsonArray>($"/v1/history?limit=10&sender={teacher.Id}");
        var message = Assert.Single(sent!)!;
        Assert.Equal(code, message["shortId"]!.GetValue<string>());
        Assert.Equal("sms", message["origin"]!.GetValue<string>());
        Assert.Equal(text, message["text"]!.GetValue<string>().Trim());
        Assert.Equal(new[] { "sg-31", "sg-32" }, message["to"]!["groups"]!.AsArray().Select(g => g!.GetValue<string>()).Order());
        var id = message["id"]!.GetValue<string>();

        var history = await People.WaitDoneAsync(ada, id);
        Assert.Equal(15, history["recipients"]!.GetValue<int>());
        await People.AssertEachReceivedOnceAsync(ada, first.Concat(second).ToList(), message["text"]!.GetValue<string>());
        foreach (var channel in People.Channels)
        {
            // 15 people, 3 of each mix: 6 with each channel.
            Assert.Equal(6, People.Count(history["channels"]![channel], "sent"));
        }

        Assert.Equal("status", await SendSmsAsync(ada, teacher.Sms!, $"status {code}"));
        var status = await WaitSmsAsync(ada, teacher.Sms!, 2);
        Assert.StartsWith($"{code}: завершено — отправлено 18, ошибок 0, без контакта 27", status, StringComparison.Ordinal);
        Assert.Contains("telegram 6/0/9", status, StringComparison.Ordinal);
        Assert.Contains("vk 6/0/9", status, StringComparison.Ordinal);
        Assert.Contains("sms 6/0/9", status, StringComparison.Ordinal);
    }

    /// <summary>A text from <paramref name="from"/> to the gateway's phone; returns the API's outcome.</summary>
    private static async Task<string> SendSmsAsync(AdaStack ada, string from, string text)
    {
        using var response = await ada.SandboxHttp.PostAsJsonAsync("/sandbox/sms/inbound", new { from, text });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(result["status"]?.GetValue<int>() == 200, $"the API answered the gateway's webhook: {result.ToJsonString()}");
        return AdaStack.Parse(result["body"]!.GetValue<string>())["outcome"]!.GetValue<string>();
    }

    /// <summary>The <paramref name="n"/>-th SMS to <paramref name="phone"/> (Ada's answers), once it arrived.</summary>
    private static async Task<string> WaitSmsAsync(AdaStack ada, string phone, int n)
    {
        var inbox = await Eventually.WaitAsync(() => ada.InboxAsync("sms", phone), m => m.Count >= n,
            TimeSpan.FromSeconds(20), $"SMS #{n} to {phone}");
        Assert.Equal(n, inbox.Count);
        return inbox[n - 1]!["text"]!.GetValue<string>();
    }

    [GeneratedRegex(@"^Ada: принято, код (?<code>[0-9A-Z]{5}), получателей: (?<count>\d+), отправка сейчас\. СТАТУС \k<code> / ОТМЕНА \k<code>$")]
    private static partial Regex Queued();

    [Collection(RedisCollection.Name)]
    public sealed class OnRedis(RedisServer redis) : SmsTeacherTests(redis);

    [Collection(ClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : SmsTeacherTests(cluster);
}
