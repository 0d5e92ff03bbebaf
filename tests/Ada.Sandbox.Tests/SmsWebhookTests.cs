using static Ada.Sandbox.Tests.SmsJson;

namespace Ada.Sandbox.Tests;

/// <summary>The gateway's webhooks as a real HTTP receiver sees them: envelope, payloads, signature, order.</summary>
public sealed class SmsWebhookTests
{
    private static readonly string[] ReportEvents = ["sms:sent", "sms:delivered", "sms:failed"];

    [Fact]
    public async Task Send_FiresSentThenDelivered_SignedOverRawBodyAndTimestamp()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SmsSandboxApplication(("Sandbox:Sms:DevicePhoneNumber", "+79000000001"));
        await app.RegisterAsync(receiver.Url("hooks"), ReportEvents);
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync("/message", Body("""{"textMessage":{"text":"Контрольная завтра"},"phoneNumbers":["+79990001234"],"simNumber":2}"""));
        var messageId = (await response.ReadJsonAsync()).GetProperty("id").GetString();
        var delivered = Assert.Single(await receiver.WaitForAsync("sms:delivered"));
        var sent = Assert.Single(receiver.Received, w => w.Event == "sms:sent");

        Assert.Equal(["sms:sent", "sms:delivered"], receiver.Received.Select(w => w.Event));
        foreach (var webhook in new[] { sent, delivered })
        {
            Assert.Equal("/hooks", webhook.Path);
            Assert.True(webhook.IsSignedWith(SmsSandboxApplication.SigningKey), "X-Signature is HMAC-SHA256(key, body + X-Timestamp)");
            var timestamp = long.Parse(webhook.Header("X-Timestamp")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
            Assert.StartsWith("application/json", webhook.Header("Content-Type"), StringComparison.Ordinal);
            Assert.Equal(["deviceId", "event", "id", "payload", "webhookId"], webhook.Json.Names());
            Assert.Equal("sandbox-device-000001", webhook.Json.GetProperty("deviceId").GetString());
            Assert.Matches("^[A-Za-z0-9_-]{21}$", webhook.Json.GetProperty("id").GetString());
            Assert.Matches("^[A-Za-z0-9_-]{21}$", webhook.Json.GetProperty("webhookId").GetString());
            var payload = webhook.Payload;
            Assert.Equal(messageId, payload.GetProperty("messageId").GetString());
            Assert.Equal("+79990001234", payload.GetProperty("phoneNumber").GetString());
            Assert.Equal("+79990001234", payload.GetProperty("recipient").GetString());
            Assert.Equal("+79000000001", payload.GetProperty("sender").GetString());
            Assert.Equal(2, payload.GetProperty("simNumber").GetInt32());
        }

        Assert.NotEqual(sent.Json.GetProperty("id").GetString(), delivered.Json.GetProperty("id").GetString());
        Assert.Equal(1, sent.Payload.GetProperty("partsCount").GetInt32());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+03:00$", sent.Payload.GetProperty("sentAt").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+03:00$", delivered.Payload.GetProperty("deliveredAt").GetString());
        Assert.False(delivered.Payload.TryGetProperty("sentAt", out _));
    }

    [Fact]
    public async Task FailSendNumber_FiresOnlySmsFailedWithTheReason_AndLeavesTheInboxEmpty()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SmsSandboxApplication();
        await app.RegisterAsync(receiver.Url("hooks"), ReportEvents);
        await app.SetNumberAsync("+79990001234", "fail_send");
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync("/3rdparty/v1/messages", Body("""{"message":"hi","phoneNumbers":["+79990001234"]}"""));
        var failed = Assert.Single(await receiver.WaitForAsync("sms:failed"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(failed.IsSignedWith(SmsSandboxApplication.SigningKey));
        Assert.Equal("Send result: RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)", failed.Payload.GetProperty("reason").GetString());
        Assert.Equal("+79990001234", failed.Payload.GetProperty("phoneNumber").GetString());
        Assert.True(failed.Payload.TryGetProperty("failedAt", out _));
        Assert.DoesNotContain(receiver.Received, w => w.Event == "sms:sent");
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task FailDeliveryNumber_IsInTheInbox_ThenFiresSentAndFailedInsteadOfDelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SmsSandboxApplication();
        await app.RegisterAsync(receiver.Url("hooks"), ReportEvents);
        await app.SetNumberAsync("+79990001234", "fail_delivery");
        using var http = app.CreateGatewayClient();

        (await http.PostAsync("/message", Body("""{"message":"hi","phoneNumbers":["+79990001234"]}"""))).EnsureSuccessStatusCode();
        var failed = Assert.Single(await receiver.WaitForAsync("sms:failed"));

        Assert.Equal(["sms:sent", "sms:failed"], receiver.Received.Select(w => w.Event));
        Assert.Equal("Delivery result from SC +79000000000: 64", failed.Payload.GetProperty("reason").GetString());
        Assert.Equal("hi", Assert.Single((await app.ReadInboxAsync()).Messages).Text);
    }

    [Fact]
    public async Task WithoutRegistrations_EventsGoToTheDefaultWebhookUrlsAdaRoutes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SmsSandboxApplication(("Sandbox:Sms:WebhookUrl", receiver.BaseUrl.AbsoluteUri));
        using var http = app.CreateGatewayClient();

        (await http.PostAsync("/message", Body("""{"message":"hi","phoneNumbers":["+79990001234"]}"""))).EnsureSuccessStatusCode();
        await receiver.WaitForAsync("sms:delivered");
        using var inbound = await app.CreateClient().PostAsJsonAsync("/sandbox/sms/inbound", new { from = "+79990001234", text = "Да" });

        Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
        Assert.Equal(
            [("/v1/sms/reports", "sms:sent"), ("/v1/sms/reports", "sms:delivered"), ("/v1/sms/inbound", "sms:received")],
            receiver.Received.Select(w => (w.Path, w.Event)));
        Assert.All(receiver.Received, w => Assert.Equal("sandbox-default", w.Json.GetProperty("webhookId").GetString()));
    }

    [Fact]
    public async Task Inbound_FiresSmsReceivedWithTheDocumentedPayload_AndReturnsWhatTheReceiverAnswered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.ResponseStatus = 202;
        receiver.ResponseBody = "queued";
        await using var app = new SmsSandboxApplication(("Sandbox:Sms:DevicePhoneNumber", "+79000000001"));
        await app.RegisterAsync(receiver.Url("inbound"), "sms:received");
        using var http = app.CreateClient();

        using var response = await http.PostAsJsonAsync("/sandbox/sms/inbound", new { from = "+79990001234", text = "Буду в 10" });
        var result = await response.ReadJsonAsync();
        var received = Assert.Single(receiver.Received);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(202, result.GetProperty("status").GetInt32());
        Assert.Equal("queued", result.GetProperty("body").GetString());
        Assert.Equal(received.Json.GetProperty("id").GetString(), result.GetProperty("envelopeId").GetString());
        Assert.Equal("sms:received", received.Event);
        Assert.True(received.IsSignedWith(SmsSandboxApplication.SigningKey));
        var payload = received.Payload;
        Assert.Equal("Буду в 10", payload.GetProperty("message").GetString());
        Assert.Equal("+79990001234", payload.GetProperty("phoneNumber").GetString());
        Assert.Equal("+79990001234", payload.GetProperty("sender").GetString());
        Assert.Equal("+79000000001", payload.GetProperty("recipient").GetString());
        Assert.Equal(1, payload.GetProperty("simNumber").GetInt32());
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("messageId").GetString()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+03:00$", payload.GetProperty("receivedAt").GetString());
    }

    [Fact]
    public async Task Inbound_WithNoWebhookAnywhere_Returns409Problem()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PostAsJsonAsync("/sandbox/sms/inbound", new { from = "+79990001234", text = "hi" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Replay_ResendsTheSameBytesAndSignatureHeaders()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SmsSandboxApplication();
        await app.RegisterAsync(receiver.Url("inbound"), "sms:received");
        using var http = app.CreateClient();
        var first = await (await http.PostAsJsonAsync("/sandbox/sms/inbound", new { from = "+79990001234", text = "hi" })).ReadJsonAsync();

        using var replay = await http.PostAsync($"/sandbox/sms/replay/{first.GetProperty("envelopeId").GetString()}", null);
        using var unknown = await http.PostAsync("/sandbox/sms/replay/nope", null);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var (original, again) = (receiver.Received[0], receiver.Received[1]);
        Assert.Equal(original.Body, again.Body);
        Assert.Equal(original.Header("X-Signature"), again.Header("X-Signature"));
        Assert.Equal(original.Header("X-Timestamp"), again.Header("X-Timestamp"));
        var log = await http.GetFromJsonAsync<JsonElement>("/sandbox/sms/webhook-log");
        Assert.Equal([false, true], log.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("replay").GetBoolean()));
    }

    [Fact]
    public async Task WebhookLog_RecordsTheStatusOfEveryAttempt_AndErrorsWhenNobodyAnswers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.ResponseStatus = 500;
        await using var app = new SmsSandboxApplication();
        await app.RegisterAsync(receiver.Url("broken"), "sms:sent");
        using var gateway = app.CreateGatewayClient();
        (await gateway.PostAsync("/webhooks", Body("""{"url":"http://127.0.0.1:1/closed","event":"sms:sent"}"""))).EnsureSuccessStatusCode();
        using var http = app.CreateClient();

        (await gateway.PostAsync("/message", Body("""{"message":"hi","phoneNumbers":["+79990001234"]}"""))).EnsureSuccessStatusCode();
        JsonElement log = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                log = await http.GetFromJsonAsync<JsonElement>("/sandbox/sms/webhook-log?event=sms:sent");
                return log.GetProperty("total").GetInt32() == 2;
            },
            TimeSpan.FromSeconds(10),
            "both sms:sent attempts are logged");

        var attempts = log.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(500, attempts[0].GetProperty("status").GetInt32());
        Assert.Equal(receiver.Url("broken").AbsoluteUri, attempts[0].GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, attempts[1].GetProperty("status").ValueKind);
        Assert.False(string.IsNullOrEmpty(attempts[1].GetProperty("error").GetString()));
    }

    [Fact]
    public async Task WithoutSigningKey_WebhooksCarryNoSignatureHeaders()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SmsSandboxApplication(("Sandbox:Sms:SigningKey", ""));
        await app.RegisterAsync(receiver.Url("inbound"), "sms:received");

        (await app.CreateClient().PostAsJsonAsync("/sandbox/sms/inbound", new { from = "+79990001234", text = "hi" })).EnsureSuccessStatusCode();

        var received = Assert.Single(receiver.Received);
        Assert.Null(received.Header("X-Signature"));
        Assert.Null(received.Header("X-Timestamp"));
    }

    [Fact]
    public async Task Stats_CountRequestsSentFailedAndWebhooks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new SmsSandboxApplication();
        await app.RegisterAsync(receiver.Url("hooks"), ReportEvents);
        await app.SetNumberAsync("+79990000002", "fail_send");
        using var http = app.CreateGatewayClient();

        (await http.PostAsync("/message", Body("""{"message":"hi","phoneNumbers":["+79990000001","+79990000002"]}"""))).EnsureSuccessStatusCode();
        await receiver.WaitForAsync("sms:delivered");

        var stats = await app.CreateClient().GetFromJsonAsync<JsonElement>("/sandbox/stats");
        Assert.Equal(
            """{"requests":4,"sent":1,"failed":1,"webhooksFired":3}""",
            stats.GetProperty("sms").GetRawText());
    }
}
