using System.Diagnostics;
using System.Text;
using Ada.Api.Http;

namespace Ada.Api.Tests;

/// <summary>No request burns the CPU: bodies are limited per endpoint, lists by the caller's recipient limit, de-duplication is linear.</summary>
[Collection(RedisCollection.Name)]
public sealed class RequestSizeTests(RedisServer redis) : ApiTest(redis)
{
    private static string Ids(int count, string prefix = "u") =>
        string.Join(",", Enumerable.Range(0, count).Select(i => $"\"{prefix}{i}\""));

    [Fact]
    public async Task Queue_TeacherListsMoreIdsThanTheRecipientLimit_Refused429BeforeAnyIdIsRead()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);

        // 2,001 ids, the first one malformed: the length is refused before the ids are even validated.
        using var response = await client.PostAsync("/v1/queue",
            Json("{\"text\":\"hi\",\"to\":{\"users\":[\"bad id\"," + Ids(2000) + "]}}"));

        var detail = Detail(await ProblemAsync(response, HttpStatusCode.TooManyRequests));
        Assert.Contains("'to.users' lists 2001 ids", detail, StringComparison.Ordinal);
        Assert.Contains("2000", detail, StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_GroupListLongerThanTheLimit_AlsoRefused()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var response = await client.PostAsync("/v1/queue", Json("{\"text\":\"hi\",\"to\":{\"groups\":[" + Ids(2001, "g") + "]}}"));
        Assert.Contains("'to.groups' lists 2001 ids", Detail(await ProblemAsync(response, HttpStatusCode.TooManyRequests)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/v1/queue", BodyLimits.Queue)]
    [InlineData("POST", "/v1/tokens", BodyLimits.Default)]
    [InlineData("POST", "/v1/vk/callback", BodyLimits.Webhook)]
    [InlineData("POST", "/v1/sms/inbound", BodyLimits.Webhook)]
    [InlineData("POST", "/v1/sms/reports", BodyLimits.Webhook)]
    [InlineData("POST", "/v1/telegram/webhook", BodyLimits.Webhook)]
    [InlineData("POST", "/v1/session/code", BodyLimits.Default)]
    [InlineData("POST", "/v1/session", BodyLimits.Default)]
    [InlineData("PUT", "/v1/users/u1", BodyLimits.Default)]
    [InlineData("PUT", "/v1/groups/g1", BodyLimits.DirectoryItem)]
    public async Task OversizedBody_Answers413Problem_WithOrWithoutContentLength(string method, string path, long limit)
    {
        // The webhooks configured, so they would read the body.
        var settings = new Dictionary<string, string?>(VkCallbackTests.VkSettings);
        foreach (var (key, value) in SmsGatewayClient.Settings.Concat(TelegramWebhookTests.WebhookSettings))
        {
            settings[key] = value;
        }
        var app = await NewAppAsync(settings);
        using var admin = app.Client();
        // Telegram's webhook checks its secret before it reads the body; the other endpoints ignore the header.
        admin.DefaultRequestHeaders.Add(Ada.Api.Telegram.TelegramWebhookApi.SecretHeader, TelegramWebhookTests.Secret);
        var body = "{\"text\":\"" + new string('x', (int)limit) + "\"}";
        using var declared = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json(body) });
        Assert.Contains("larger than this endpoint takes", Detail(await ProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge)),
            StringComparison.Ordinal);

        // Chunked: no Content-Length, the body is cut off while read.
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await admin.SendAsync(request);
        await ProblemAsync(chunked, HttpStatusCode.RequestEntityTooLarge);
        await AssertNothingQueuedAsync(app);
    }

    [Fact]
    public async Task Import_TakesBodiesLargerThanTheDefault()
    {
        var users = string.Join(",", Enumerable.Range(0, 400).Select(i => $$"""{"id":"s{{i}}","name":"{{new string('n', 100)}}","role":"student"}"""));
        using var response = await Admin.PostAsync("/v1/import", Json($$"""{"users":[{{users}}]}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void EntityIds_DeDuplicatesLinearly()
    {
        // 100,000 distinct ids: List.Contains in a loop took minutes of CPU; a set takes milliseconds. The bound is generous.
        var ids = Enumerable.Range(0, 100_000).Select(i => (string?)$"u{i}").ToList();
        var v = new Validation();
        var watch = Stopwatch.StartNew();
        var result = v.EntityIds("to.users", [.. ids, "u5", "u7"], "user");
        watch.Stop();
        Assert.Equal(100_000, result.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Validation_ListsTheFirstProblemsOnly()
    {
        var v = new Validation();
        v.EntityIds("to.users", [.. Enumerable.Range(0, 10_000).Select(i => (string?)$"bad id {i}")], "user");
        Assert.Equal(Validation.MaxFields, v.Errors.Count);
        Assert.Contains("9900 more problems", v.Detail, StringComparison.Ordinal);
    }
}
