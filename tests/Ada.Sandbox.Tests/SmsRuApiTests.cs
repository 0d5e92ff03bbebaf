namespace Ada.Sandbox.Tests;

/// <summary>SMS.ru's /sms/send and /sms/status over raw HTTP.</summary>
public sealed class SmsRuApiTests
{
    private const string Key = $"api_id={SmsSandboxApplication.ApiId}";

    [Fact]
    public async Task Send_WithOneFailingNumber_TopLevelOkHidesThePerNumberError()
    {
        await using var app = new SmsSandboxApplication();
        await app.SetNumberAsync("+74993221627", "fail_send");
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"/sms/send?{Key}&to=79255070602,74993221627&msg=hello+world&json=1", null);
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

        using var response = await http.PostAsync($"/sms/send?{apiId}&to=79255070602&msg=hi&json=1", null);
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

        var body = await SmsJson.ReadJsonAsync(await http.PostAsync($"/sms/send?{Key}&to=12,79255070602&msg=hi&json=1", null));

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
        var sent = await SmsJson.ReadJsonAsync(await http.PostAsync($"/sms/send?{Key}&to=79255070602,79255070603&msg=hi&json=1", null));
        var delivered = sent.GetProperty("sms").GetProperty("79255070602").GetProperty("sms_id").GetString();
        var expired = sent.GetProperty("sms").GetProperty("79255070603").GetProperty("sms_id").GetString();
        var query = $"/sms/status?{Key}&sms_id={delivered},{expired},000000-1&json=1";

        var early = await SmsJson.ReadJsonAsync(await http.PostAsync(query, null));
        JsonElement late = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                late = await SmsJson.ReadJsonAsync(await http.PostAsync(query, null));
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
    public async Task Send_WithoutText_IsTopLevelError203()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        var body = await SmsJson.ReadJsonAsync(await http.PostAsync($"/sms/send?{Key}&to=79255070602&json=1", null));

        Assert.Equal(("ERROR", 203), (body.GetProperty("status").GetString(), body.GetProperty("status_code").GetInt32()));
    }

}
