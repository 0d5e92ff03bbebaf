using Ada.Api.Telegram;

namespace Ada.Api.Tests;

/// <summary>
/// <c>POST /v1/telegram/webhook</c> refuses what is not Telegram's before acting on anything. (Updates acted on,
/// answered and deduplicated: tests/Ada.EndToEnd.Tests/TelegramBotTests.cs, through the sandbox's Telegram.)
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TelegramWebhookTests(RedisServer redis) : ApiTest(redis)
{
    public const string Secret = "api-test-webhook-secret_01";

    /// <summary>Webhook mode against a Bot API that is not there: setup only retries in the background.</summary>
    public static readonly Dictionary<string, string?> WebhookSettings = new()
    {
        ["Telegram:Token"] = "123456:API-TEST",
        ["Telegram:BaseUrl"] = "http://127.0.0.1:9",
        ["Telegram:Updates"] = "webhook",
        ["Telegram:WebhookUrl"] = "https://ada.example.edu/v1/telegram/webhook",
        ["Telegram:WebhookSecret"] = Secret,
    };

    private static HttpRequestMessage Post(string body, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/telegram/webhook") { Content = Json(body) };
        if (secret is not null)
        {
            request.Headers.Add(TelegramWebhookApi.SecretHeader, secret);
        }
        return request;
    }

    [Fact]
    public async Task Webhook_WhenTheBotPolls_Answers404NamingWhatToSet()
    {
        using var client = App.Client(null);
        using var request = Post("{\"update_id\":1}", Secret);
        using var response = await client.SendAsync(request);
        Assert.Contains("Telegram__Updates=webhook", Detail(await ProblemAsync(response, HttpStatusCode.NotFound)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    [InlineData(Secret + "x")]
    public async Task Webhook_WithoutTheSecret_Answers403AndActsOnNothing(string? secret)
    {
        var app = await NewAppAsync(WebhookSettings);
        using var client = app.Client(null);
        using var request = Post("{\"update_id\":7,\"my_chat_member\":{}}", secret);
        using var response = await client.SendAsync(request);
        Assert.Contains("does not match Telegram__WebhookSecret", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)),
            StringComparison.Ordinal);
        Assert.False(await app.Db.KeyExistsAsync("telegram:update:7"));
    }

    /// <summary>Issue 14, point 6: refusals cannot grow the log — at most one line a minute, nothing the request chose.</summary>
    [Fact]
    public async Task Webhook_WrongSecrets_AreLoggedAtMostOnceAMinute_WithNothingTheRequestChose()
    {
        var app = await NewAppAsync(WebhookSettings);
        using var client = app.Client(null);
        var marker = "attacker-" + new string('x', 1_000);
        for (var i = 0; i < 5; i++)
        {
            using var request = Post("{\"update_id\":" + i + ",\"message\":{\"text\":\"" + marker + "\"}}", marker);
            using var response = await client.SendAsync(request);
            await ProblemAsync(response, HttpStatusCode.Forbidden);
        }

        var lines = app.Logs.Where(l => l.Contains("TelegramWebhookApi", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("attacker-", StringComparison.Ordinal));
        Assert.True(lines.Count <= 1, string.Join("\n", lines));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"update_id\":\"x\"}")]
    public async Task Webhook_WithTheSecretButNoUpdate_Answers400(string body)
    {
        var app = await NewAppAsync(WebhookSettings);
        using var client = app.Client(null);
        using var request = Post(body, Secret);
        using var response = await client.SendAsync(request);
        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task WebhookMode_WithoutItsSecret_RefusesToStartNamingTheVariable()
    {
        var settings = new Dictionary<string, string?>(WebhookSettings) { ["Telegram:WebhookSecret"] = null };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => NewAppAsync(settings));
        Assert.Contains("Telegram__WebhookSecret", error.ToString(), StringComparison.Ordinal);
    }
}
