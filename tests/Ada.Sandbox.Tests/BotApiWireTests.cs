using System.Text;

namespace Ada.Sandbox.Tests;

/// <summary>The Bot API over raw HTTP: the exact JSON, and the request encodings Telegram accepts besides JSON.</summary>
public sealed class BotApiWireTests
{
    private const string Bot = $"/bot{SandboxApplication.Token}";

    [Fact]
    public async Task SendMessage_Success_UsesTelegramEnvelopeFieldNames()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Bot}/sendMessage", Json("""{"chat_id":42,"text":"hi","parse_mode":"Html"}"""));
        using var body = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = body.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        var result = root.GetProperty("result");
        Assert.Equal(1, result.GetProperty("message_id").GetInt32());
        Assert.Equal(42, result.GetProperty("chat").GetProperty("id").GetInt64());
        Assert.Equal("private", result.GetProperty("chat").GetProperty("type").GetString());
        Assert.Equal("User 42", result.GetProperty("chat").GetProperty("first_name").GetString());
        Assert.True(result.GetProperty("from").GetProperty("is_bot").GetBoolean());
        Assert.Equal(123456, result.GetProperty("from").GetProperty("id").GetInt64());
        Assert.Equal(JsonValueKind.Number, result.GetProperty("date").ValueKind);
        Assert.Equal("hi", result.GetProperty("text").GetString());
        Assert.False(root.TryGetProperty("error_code", out _));
    }

    [Fact]
    public async Task SendMessage_Throttled_UsesTelegramErrorEnvelopeWithRetryAfter()
    {
        await using var app = new SandboxApplication(("Sandbox:Telegram:MessagesPerSecond", "1"));
        using var http = app.CreateClient();

        (await http.PostAsync($"{Bot}/sendMessage", Json("""{"chat_id":1,"text":"first"}"""))).EnsureSuccessStatusCode();
        using var response = await http.PostAsync($"{Bot}/sendMessage", Json("""{"chat_id":1,"text":"second"}"""));
        using var body = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var root = body.RootElement;
        Assert.False(root.GetProperty("ok").GetBoolean());
        Assert.Equal(429, root.GetProperty("error_code").GetInt32());
        var retryAfter = root.GetProperty("parameters").GetProperty("retry_after").GetInt32();
        Assert.InRange(retryAfter, 1, 1);
        Assert.Equal($"Too Many Requests: retry after {retryAfter}", root.GetProperty("description").GetString());
        Assert.False(root.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task SendMessage_AsFormUrlEncoded_IsDelivered()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var form = new FormUrlEncodedContent([new("chat_id", "42"), new("text", "from a form"), new("parse_mode", "HTML")]);
        using var response = await http.PostAsync($"{Bot}/sendMessage", form);
        using var body = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from a form", body.RootElement.GetProperty("result").GetProperty("text").GetString());
    }

    [Fact]
    public async Task SendMessage_AsMultipartForm_IsDelivered()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var form = new MultipartFormDataContent { { new StringContent("42"), "chat_id" }, { new StringContent("multipart"), "text" } };
        using var response = await http.PostAsync($"{Bot}/sendMessage", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("multipart", Assert.Single((await app.ReadInboxAsync()).Messages).Text);
    }

    [Fact]
    public async Task SendMessage_InQueryStringOfGet_IsDelivered()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.GetAsync($"{Bot}/sendMessage?chat_id=-100777&text=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single((await app.ReadInboxAsync()).Messages);
        Assert.Equal(("-100777", "привет"), (stored.ChatId, stored.Text));
    }

    [Fact]
    public async Task SendMessage_WithChatIdAsString_IsDelivered()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Bot}/sendMessage", Json("""{"chat_id":"42","text":"hi","disable_notification":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("SENDMESSAGE")]
    [InlineData("sendmessage")]
    [InlineData("sendMessage")]
    public async Task MethodNames_AreCaseInsensitive(string method)
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Bot}/{method}", Json("""{"chat_id":42,"text":"hi"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"chat_id":42,"text":"hi","parse_mode":"Html"}""", 200, null)]
    [InlineData("""{"chat_id":42,"text":"hi","parse_mode":"markdownv2"}""", 200, null)]
    [InlineData("""{"chat_id":42,"text":"hi","parse_mode":"Textile"}""", 400, "Bad Request: unsupported parse_mode")]
    [InlineData("""{"chat_id":42}""", 400, "Bad Request: message text is empty")]
    [InlineData("""{"chat_id":42,"text":"   "}""", 400, "Bad Request: message text is empty")]
    [InlineData("""{"text":"hi"}""", 400, "Bad Request: chat_id is empty")]
    [InlineData("""{"chat_id":"@channel","text":"hi"}""", 400, "Bad Request: chat not found")]
    [InlineData("""not json""", 400, "Bad Request: can't parse request parameters")]
    public async Task SendMessage_ValidatesParametersLikeTelegram(string json, int status, string? description)
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Bot}/sendMessage", Json(json));
        using var body = await ReadJsonAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        if (description is not null)
        {
            Assert.Equal(status, body.RootElement.GetProperty("error_code").GetInt32());
            Assert.Equal(description, body.RootElement.GetProperty("description").GetString());
        }
    }

    [Fact]
    public async Task UnknownMethod_Returns404NotFound()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Bot}/sendPigeon", Json("{}"));

        await AssertErrorAsync(response, 404, "Not Found");
    }

    [Theory]
    [InlineData("abc:def")]
    [InlineData("123456")]
    [InlineData("123456:")]
    [InlineData(":secret")]
    public async Task MalformedToken_Returns401Unauthorized(string token)
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.GetAsync($"/bot{token}/getMe");

        await AssertErrorAsync(response, 401, "Unauthorized");
    }

    [Fact]
    public async Task GetMe_AnswersWithTheSandboxBotUser()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.GetAsync($"/bot777:x/getMe");
        using var body = await ReadJsonAsync(response);

        var expected = """{"ok":true,"result":{"id":777,"is_bot":true,"first_name":"Ada Sandbox","username":"ada_sandbox_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}}""";
        Assert.Equal(expected, JsonSerializer.Serialize(body.RootElement));
    }

    [Fact]
    public async Task Error500Fault_AnswersTelegramErrorEnvelope()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/fault", new { mode = "error500" });
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Bot}/getMe", Json("{}"));

        await AssertErrorAsync(response, 500, "Internal Server Error");
    }

    [Fact]
    public async Task Error502Fault_AnswersHtmlLikeAProxy()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/telegram/fault", new { mode = "error502" });
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Bot}/sendMessage", Json("""{"chat_id":42,"text":"hi"}"""));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("502 Bad Gateway", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());

    private static async Task AssertErrorAsync(HttpResponseMessage response, int status, string description)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            $$"""{"ok":false,"error_code":{{status}},"description":"{{description}}"}""",
            JsonSerializer.Serialize(body));
    }
}
