using System.Net;
using System.Text.Json;

namespace Ada.Sandbox.Tests;

/// <summary>SMS.ru's /sms/send, /sms/status and /my/balance over raw HTTP.</summary>
public sealed class SmsRuApiTests
{
    private const string Key = $"api_id={SmsSandboxApplication.ApiId}";

    [Fact]
    public async Task Send_WithOneFailingNumber_TopLevelOkHidesThePerNumberError()
    {
        await using var app = new SmsSandboxApplication();
        await app.SetNumberAsync("+74993221627", "fail_send");
        using var http = app.CreateClient();

        using var response = await http.GetAsync($"/sms/send?{Key}&to=79255070602,74993221627&msg=hello+world&json=1");
        var body = await SmsJson.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["status", "status_code", "sms", "balance"], body.Names());
        Assert.Equal("OK", body.GetProperty("status").GetString());
        Assert.Equal(100, body.GetProperty("status_code").GetInt32());
        Assert.Equal("1000.00", body.GetProperty("balance").GetRawText());
        var ok = body.GetProperty("sms").GetProperty("79255070602");
        Assert.Equal(["status", "status_code", "sms_id"], ok.Names());
        Assert.Equal(("OK", 100), (ok.GetProperty("status").GetString(), ok.GetProperty("status_code").GetInt32()));
        Assert.Matches(@"^\d{6}-\d{8}$", ok.GetProperty("sms_id").GetString());
        var error = body.GetProperty("sms").GetProperty("74993221627");
        Assert.Equal(["status", "status_code", "status_text"], error.Names());
        Assert.Equal(("ERROR", 207), (error.GetProperty("status").GetString(), error.GetProperty("status_code").GetInt32()));
        Assert.StartsWith("На этот номер", error.GetProperty("status_text").GetString(), StringComparison.Ordinal);

        var stored = Assert.Single((await app.ReadInboxAsync()).Messages);
        Assert.Equal(("+79255070602", "hello world", ok.GetProperty("sms_id").GetString()), (stored.ChatId, stored.Text, stored.ProviderMessageId));
    }

    [Theory]
    [InlineData("api_id=wrong")]
    [InlineData("")]
    public async Task Send_WithWrongOrMissingApiId_IsTopLevelError200(string apiId)
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.GetAsync($"/sms/send?{apiId}&to=79255070602&msg=hi&json=1");
        var body = await SmsJson.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ERROR", body.GetProperty("status").GetString());
        Assert.Equal(200, body.GetProperty("status_code").GetInt32());
        Assert.Equal("Неправильный api_id", body.GetProperty("status_text").GetString());
        Assert.False(body.TryGetProperty("sms", out _));
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Send_WithABadNumber_IsPerNumberError202()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        var body = await SmsJson.ReadJsonAsync(await http.GetAsync($"/sms/send?{Key}&to=12,79255070602&msg=hi&json=1"));

        Assert.Equal("OK", body.GetProperty("status").GetString());
        Assert.Equal(202, body.GetProperty("sms").GetProperty("12").GetProperty("status_code").GetInt32());
        Assert.Equal("OK", body.GetProperty("sms").GetProperty("79255070602").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Status_AfterTheDeliveryDelay_IsDeliveredOrExpired()
    {
        await using var app = new SmsSandboxApplication(("Sandbox:Sms:DeliveryDelayMilliseconds", "1000"));
        await app.SetNumberAsync("+79255070603", "fail_delivery");
        using var http = app.CreateClient();
        var sent = await SmsJson.ReadJsonAsync(await http.GetAsync($"/sms/send?{Key}&to=79255070602,79255070603&msg=hi&json=1"));
        var delivered = sent.GetProperty("sms").GetProperty("79255070602").GetProperty("sms_id").GetString();
        var expired = sent.GetProperty("sms").GetProperty("79255070603").GetProperty("sms_id").GetString();
        var query = $"/sms/status?{Key}&sms_id={delivered},{expired},000000-1&json=1";

        var early = await SmsJson.ReadJsonAsync(await http.GetAsync(query));
        JsonElement late = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                late = await SmsJson.ReadJsonAsync(await http.GetAsync(query));
                return late.GetProperty("sms").GetProperty(delivered!).GetProperty("status_code").GetInt32() != 100;
            },
            TimeSpan.FromSeconds(10),
            "the status moves on once the delivery delay has passed");

        Assert.Equal(100, early.GetProperty("sms").GetProperty(delivered!).GetProperty("status_code").GetInt32());
        Assert.Equal("OK", late.GetProperty("status").GetString());
        var ok = late.GetProperty("sms").GetProperty(delivered!);
        Assert.Equal(["status", "status_code", "cost", "status_text"], ok.Names());
        Assert.Equal((103, "Сообщение доставлено"), (ok.GetProperty("status_code").GetInt32(), ok.GetProperty("status_text").GetString()));
        Assert.Equal(104, late.GetProperty("sms").GetProperty(expired!).GetProperty("status_code").GetInt32());
        var unknown = late.GetProperty("sms").GetProperty("000000-1");
        Assert.Equal(("ERROR", -1), (unknown.GetProperty("status").GetString(), unknown.GetProperty("status_code").GetInt32()));
    }

    [Fact]
    public async Task Send_WithoutJson_AnswersThePlainTextLines()
    {
        await using var app = new SmsSandboxApplication();
        await app.SetNumberAsync("+74993221627", "fail_send");
        using var http = app.CreateClient();

        using var response = await http.GetAsync($"/sms/send?{Key}&to=79255070602,74993221627&msg=hi");
        using var refused = await http.GetAsync("/sms/send?api_id=wrong&to=79255070602&msg=hi");

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^100\n\d{6}-\d{8}\n207\nbalance=1000\.00$", await response.Content.ReadAsStringAsync());
        Assert.Equal("200", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Send_AsPostFormWithATextPerNumber_DeliversEachText()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();
        using var form = new FormUrlEncodedContent([
            new("api_id", SmsSandboxApplication.ApiId),
            new("to[79255070602]", "первый"),
            new("to[74993221627]", "второй"),
            new("json", "1"),
        ]);

        var body = await SmsJson.ReadJsonAsync(await http.PostAsync("/sms/send", form));

        Assert.Equal("OK", body.GetProperty("status").GetString());
        Assert.Equal(
            [("+79255070602", "первый"), ("+74993221627", "второй")],
            (await app.ReadInboxAsync()).Messages.Select(m => (m.ChatId, m.Text)));
    }

    [Fact]
    public async Task Send_WithTest1_AnswersAsUsualButDeliversNothing()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        var body = await SmsJson.ReadJsonAsync(await http.GetAsync($"/sms/send?{Key}&to=79255070602&msg=hi&test=1&json=1"));

        Assert.Equal("OK", body.GetProperty("sms").GetProperty("79255070602").GetProperty("status").GetString());
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Send_WithoutText_IsTopLevelError203()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        var body = await SmsJson.ReadJsonAsync(await http.GetAsync($"/sms/send?{Key}&to=79255070602&json=1"));

        Assert.Equal(("ERROR", 203), (body.GetProperty("status").GetString(), body.GetProperty("status_code").GetInt32()));
    }

    [Fact]
    public async Task Balance_AnswersTheConfiguredBalance()
    {
        await using var app = new SmsSandboxApplication(("Sandbox:SmsRu:Balance", "4122.56"));
        using var http = app.CreateClient();

        var json = await http.GetStringAsync($"/my/balance?{Key}&json=1");
        var plain = await http.GetStringAsync($"/my/balance?{Key}");

        Assert.Equal("""{"status":"OK","status_code":100,"balance":4122.56}""", json);
        Assert.Equal("100\n4122.56", plain);
    }
}
