using static Ada.Sandbox.Tests.SmsJson;

namespace Ada.Sandbox.Tests;

/// <summary>SMS Gateway for Android over raw HTTP: the local server's routes and the cloud's /3rdparty/v1 routes.</summary>
public sealed class SmsGatewayApiTests
{
    [Fact]
    public async Task LocalSend_WithTextMessage_Answers202PendingAndDeliversToInbox()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync("/message", Body("""{"textMessage":{"text":"Урок перенесён"},"phoneNumbers":["+79990001234","89990001235"]}"""));
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["id", "deviceId", "state", "isHashed", "isEncrypted", "recipients", "states"], body.Names());
        var id = body.GetProperty("id").GetString()!;
        Assert.Matches("^[A-Za-z0-9_-]{21}$", id);
        Assert.Equal("sandbox-device-000001", body.GetProperty("deviceId").GetString());
        Assert.Equal("Pending", body.GetProperty("state").GetString());
        Assert.False(body.GetProperty("isHashed").GetBoolean());
        Assert.Equal(
            """[{"phoneNumber":"+79990001234","state":"Pending"},{"phoneNumber":"89990001235","state":"Pending"}]""",
            body.GetProperty("recipients").GetRawText());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+03:00$", body.GetProperty("states").GetProperty("Pending").GetString());

        var inbox = await app.ReadInboxAsync();
        Assert.Equal(
            [("sms", "+79990001234", "Урок перенесён", id), ("sms", "+79990001235", "Урок перенесён", id)],
            inbox.Messages.Select(m => (m.Channel, m.ChatId, m.Text, m.ProviderMessageId)));
        Assert.All(inbox.Messages, m => Assert.Equal(1, m.MessageId));
    }

    [Theory]
    [InlineData("/3rdparty/v1/messages")]
    [InlineData("/3rdparty/v1/message")]
    public async Task CloudSend_WithLegacyMessageAndOwnId_Answers202WithLocationAndNormalizedNumbers(string path)
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync(path, Body("""{"id":"order-1234","message":"Hello","phoneNumbers":["8 (999) 000-12-34"]}"""));
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/3rdparty/v1/messages/order-1234", response.Headers.Location?.OriginalString);
        Assert.Equal("order-1234", body.GetProperty("id").GetString());
        Assert.Equal("+79990001234", body.GetProperty("recipients")[0].GetProperty("phoneNumber").GetString());
        var stored = Assert.Single((await app.ReadInboxAsync()).Messages);
        Assert.Equal(("+79990001234", "Hello", "order-1234"), (stored.ChatId, stored.Text, stored.ProviderMessageId));
    }

    [Fact]
    public async Task LocalRequest_WithoutOrWithWrongBasicAuth_Returns401ChallengeWithEmptyBody()
    {
        await using var app = new SmsSandboxApplication();
        using var anonymous = app.CreateClient();
        using var wrong = app.CreateGatewayClient(password: "nope");

        using var missing = await anonymous.PostAsync("/message", Body("""{"message":"hi","phoneNumbers":["+79990001234"]}"""));
        using var refused = await wrong.GetAsync("/webhooks");

        foreach (var response in new[] { missing, refused })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Basic realm=\"Access to SMS Gateway\", charset=UTF-8", response.Headers.WwwAuthenticate.ToString());
            Assert.Equal("", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task CloudRequest_WithoutOrWithWrongBasicAuth_Returns401ErrorResponse()
    {
        await using var app = new SmsSandboxApplication();
        using var anonymous = app.CreateClient();
        using var wrong = app.CreateGatewayClient(username: "other");

        using var missing = await anonymous.PostAsync("/3rdparty/v1/messages", Body("""{"message":"hi","phoneNumbers":["+79990001234"]}"""));
        using var refused = await wrong.GetAsync("/3rdparty/v1/webhooks");

        foreach (var response in new[] { missing, refused })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("""{"message":"Unauthorized"}""", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task GetMessage_AfterDeliveryDelay_ShowsEachNumbersOutcome()
    {
        await using var app = new SmsSandboxApplication();
        await app.SetNumberAsync("+79990000002", "fail_send");
        await app.SetNumberAsync("+79990000003", "fail_delivery");
        using var http = app.CreateGatewayClient();

        using var sent = await http.PostAsync("/3rdparty/v1/messages", Body(
            """{"textMessage":{"text":"hi"},"phoneNumbers":["+79990000001","+79990000002","+79990000003"]}"""));
        var id = (await sent.ReadJsonAsync()).GetProperty("id").GetString();

        JsonElement state = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                state = await (await http.GetAsync($"/3rdparty/v1/messages/{id}")).ReadJsonAsync();
                return state.GetProperty("recipients").EnumerateArray().All(r => r.GetProperty("state").GetString() is "Delivered" or "Failed");
            },
            TimeSpan.FromSeconds(10),
            "every recipient reaches a final state");

        Assert.Equal("Sent", state.GetProperty("state").GetString());
        Assert.Equal(
            """[{"phoneNumber":"+79990000001","state":"Delivered"},""" +
            """{"phoneNumber":"+79990000002","state":"Failed","error":"Send result: RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)"},""" +
            """{"phoneNumber":"+79990000003","state":"Failed","error":"Delivery result from SC +79000000000: 64"}]""",
            state.GetProperty("recipients").GetRawText());
        Assert.Equal(["Pending", "Sent"], state.GetProperty("states").Names());
        Assert.Equal(["+79990000001", "+79990000003"], (await app.ReadInboxAsync()).Messages.Select(m => m.ChatId));
    }

    [Fact]
    public async Task GetMessage_WhenEveryNumberIsDelivered_IsDeliveredWithStateHistory()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();
        using var sent = await http.PostAsync("/messages", Body("""{"message":"hi","phoneNumbers":["+79990000001"]}"""));
        var id = (await sent.ReadJsonAsync()).GetProperty("id").GetString();

        JsonElement state = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                state = await (await http.GetAsync($"/messages/{id}")).ReadJsonAsync();
                return state.GetProperty("state").GetString() == "Delivered";
            },
            TimeSpan.FromSeconds(10),
            "the message is delivered");

        Assert.Equal(["Pending", "Sent", "Delivered"], state.GetProperty("states").Names());
    }

    [Fact]
    public async Task GetMessage_Unknown_Returns404BareOnLocalAndErrorResponseOnCloud()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var local = await http.GetAsync("/message/missing");
        using var cloud = await http.GetAsync("/3rdparty/v1/messages/missing");

        Assert.Equal(HttpStatusCode.NotFound, local.StatusCode);
        Assert.Equal("", await local.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, cloud.StatusCode);
        Assert.Equal("""{"message":"message not found"}""", await cloud.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/message", """{"message":"Message with the same ID already exists"}""")]
    [InlineData("/messages", """{"message":"Message with the same ID already exists"}""")]
    [InlineData("/3rdparty/v1/messages", """{"message":"duplicate id"}""")]
    public async Task Send_WithAnIdAlreadyUsed_Is409AndNotSentAgain(string path, string answer)
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();
        const string body = """{"id":"0123456789abcdef0123456789abcdef","textMessage":{"text":"hi"},"phoneNumbers":["+79990000001","+79990000002"]}""";

        using var first = await http.PostAsync(path, Body(body));
        using var again = await http.PostAsync(path, Body(body));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("0123456789abcdef0123456789abcdef", (await first.ReadJsonAsync()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/json", again.Content.Headers.ContentType?.MediaType);
        Assert.Equal(answer, await again.Content.ReadAsStringAsync());
        Assert.Null(again.Headers.Location);
        var inbox = await app.ReadInboxAsync();
        Assert.Equal(
            [("+79990000001", "0123456789abcdef0123456789abcdef"), ("+79990000002", "0123456789abcdef0123456789abcdef")],
            inbox.Messages.Select(m => (m.ChatId, m.ProviderMessageId)));
    }

    [Fact]
    public async Task Send_WithAnIdAlreadyUsed_Is409EvenWithOtherTextOrNumbers()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        (await http.PostAsync("/message", Body("""{"id":"order-1","message":"first","phoneNumbers":["+79990000001"]}"""))).EnsureSuccessStatusCode();
        using var other = await http.PostAsync("/message", Body("""{"id":"order-1","message":"second","phoneNumbers":["+79990000002"]}"""));

        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("first", Assert.Single((await app.ReadInboxAsync()).Messages).Text);
    }

    [Fact]
    public async Task Send_SameIdOnTheLocalServerAndTheCloud_AreTwoMessages()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();
        const string body = """{"id":"shared-id","message":"hi","phoneNumbers":["+79990000001"]}""";

        using var local = await http.PostAsync("/message", Body(body));
        using var cloud = await http.PostAsync("/3rdparty/v1/messages", Body(body));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (local.StatusCode, cloud.StatusCode));
        Assert.Equal(2, (await app.ReadInboxAsync()).Total);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/message/shared-id")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/3rdparty/v1/messages/shared-id")).StatusCode);
    }

    [Fact]
    public async Task LocalSend_WithOwnId_UsesItAsTheMessageId()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync("/message", Body("""{"id":"ada-0001","textMessage":{"text":"hi"},"phoneNumbers":["+79990000001"]}"""));
        using var state = await http.GetAsync("/message/ada-0001");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("ada-0001", (await response.ReadJsonAsync()).GetProperty("id").GetString());
        Assert.Equal("ada-0001", (await state.ReadJsonAsync()).GetProperty("id").GetString());
        Assert.Equal("ada-0001", Assert.Single((await app.ReadInboxAsync()).Messages).ProviderMessageId);
    }

    [Fact]
    public async Task CloudSend_WithAnIdOf36Characters_IsAccepted()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();
        var id = new string('a', 36);

        using var response = await http.PostAsync("/3rdparty/v1/messages", Body($$"""{"id":"{{id}}","message":"hi","phoneNumbers":["+79990000001"]}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(id, (await response.ReadJsonAsync()).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("""{"phoneNumbers":["+79990001234"]}""", "Must specify exactly one of: textMessage, dataMessage, mmsMessage, or message")]
    [InlineData("""{"message":"a","textMessage":{"text":"b"},"phoneNumbers":["+79990001234"]}""", "Cannot specify multiple message types simultaneously")]
    [InlineData("""{"message":"","phoneNumbers":["+79990001234"]}""", "Text message is empty")]
    [InlineData("""{"textMessage":{"text":""},"phoneNumbers":["+79990001234"]}""", "Text message is empty")]
    [InlineData("""{"message":"hi","phoneNumbers":[]}""", "phoneNumbers is empty")]
    [InlineData("""{"message":"hi","phoneNumbers":["+79990001234"],"simNumber":0}""", "simNumber must be >= 1")]
    [InlineData("""{"message":"hi","phoneNumbers":["+79990001234"],"ttl":60,"validUntil":"2030-01-01T00:00:00Z"}""", "fields conflict: ttl and validUntil")]
    [InlineData("""{"message":"hi","phoneNumbers":["+79990001234"],"validUntil":"2020-01-01T00:00:00Z"}""", "message already expired")]
    [InlineData("""{"message":"hi","phoneNumbers":["+79990001234"],"deviceId":"other"}""", "Invalid device ID")]
    [InlineData("""not json""", "Failed to convert request body to class me.capcom.smsgateway.modules.localserver.domain.PostMessageRequest")]
    public async Task LocalSend_Invalid_Answers400WithTheAppsMessage(string json, string message)
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync("/messages", Body(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (await response.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Theory]
    [InlineData("""{"phoneNumbers":["+79990001234"]}""", "validation failed: must specify exactly one of: textMessage or dataMessage")]
    [InlineData("""{"message":"a","textMessage":{"text":"b"},"phoneNumbers":["+79990001234"]}""", "conflict fields: must specify exactly one of: textMessage or dataMessage")]
    [InlineData("""{"message":"hi"}""", "Key: 'Message.PhoneNumbers' Error:Field validation for 'PhoneNumbers' failed on the 'required' tag")]
    [InlineData("""{"message":"hi","phoneNumbers":[]}""", "Key: 'Message.PhoneNumbers' Error:Field validation for 'PhoneNumbers' failed on the 'min' tag")]
    [InlineData("""{"message":"hi","phoneNumbers":["+79990001234"],"simNumber":4}""", "Key: 'Message.SimNumber' Error:Field validation for 'SimNumber' failed on the 'max' tag")]
    [InlineData("""{"message":"hi","phoneNumbers":["+79990001234","12"]}""", "can't use phone in row 2: invalid phone number")]
    [InlineData("""{"message":"hi","phoneNumbers":["+79990001234"],"ttl":60,"validUntil":"2030-01-01T00:00:00Z"}""", "conflict fields: ttl and validUntil")]
    [InlineData("""{"id":"0123456789abcdef0123456789abcdef-1234","message":"hi","phoneNumbers":["+79990001234"]}""", "Key: 'Message.ID' Error:Field validation for 'ID' failed on the 'max' tag")]
    public async Task CloudSend_Invalid_Answers400WithTheServersMessage(string json, string message)
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync("/3rdparty/v1/messages", Body(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (await response.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Theory]
    [InlineData("/message")]
    [InlineData("/3rdparty/v1/messages")]
    public async Task Send_WithFaultAcceptThenError502_SendsButAnswersTheProxyPage_ThenTheRetryIs409(string path)
    {
        await using var app = new SmsSandboxApplication();
        await app.PutAsync("/sandbox/sms/fault", new { mode = "accept_then_error502", count = 1 });
        using var http = app.CreateGatewayClient();
        const string body = """{"id":"lost-answer","message":"hi","phoneNumbers":["+79990000001"]}""";

        using var lost = await http.PostAsync(path, Body(body));
        using var retried = await http.PostAsync(path, Body(body));
        using var next = await http.PostAsync(path, Body("""{"id":"next","message":"hi","phoneNumbers":["+79990000002"]}"""));

        Assert.Equal(HttpStatusCode.BadGateway, lost.StatusCode);
        Assert.Equal("text/html", lost.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<center><h1>502 Bad Gateway</h1></center>", await lost.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, retried.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        Assert.Equal(["+79990000001", "+79990000002"], (await app.ReadInboxAsync()).Messages.Select(m => m.ChatId));
    }

    [Fact]
    public async Task Send_WithFaultAcceptThenTimeout_SendsAndHoldsTheAnswerUntilTheClientGivesUp()
    {
        await using var app = new SmsSandboxApplication();
        await app.PutAsync("/sandbox/sms/fault", new { mode = "accept_then_timeout", count = 1 });
        using var http = app.CreateGatewayClient();
        const string body = """{"id":"timed-out","message":"hi","phoneNumbers":["+79990000001"]}""";

        using var giveUp = new CancellationTokenSource();
        var held = http.PostAsync("/message", Body(body), giveUp.Token);
        await Eventually.HoldsAsync(async () => (await app.ReadInboxAsync()).Total == 1, TimeSpan.FromSeconds(10), "the held message is sent");
        Assert.False(held.IsCompleted);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        using var retried = await http.PostAsync("/message", Body(body));

        Assert.Equal(HttpStatusCode.Conflict, retried.StatusCode);
        var stored = Assert.Single((await app.ReadInboxAsync()).Messages);
        Assert.Equal(("+79990000001", "timed-out"), (stored.ChatId, stored.ProviderMessageId));
    }

    [Fact]
    public async Task Send_WithFaultForSeconds_HitsEveryAcceptedSendUntilReplaced()
    {
        await using var app = new SmsSandboxApplication();
        await app.PutAsync("/sandbox/sms/fault", new { mode = "accept_then_error502", forSeconds = 60 });
        using var http = app.CreateGatewayClient();

        using var first = await http.PostAsync("/message", Body("""{"message":"hi","phoneNumbers":["+79990000001"]}"""));
        using var second = await http.PostAsync("/3rdparty/v1/messages", Body("""{"message":"hi","phoneNumbers":["+79990000002"]}"""));
        await app.PutAsync("/sandbox/sms/fault", new { mode = "none" });
        using var third = await http.PostAsync("/message", Body("""{"message":"hi","phoneNumbers":["+79990000003"]}"""));

        Assert.Equal((HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode, third.StatusCode));
        Assert.Equal(3, (await app.ReadInboxAsync()).Total);
    }

    [Theory]
    [InlineData("""{"mode":"explode"}""")]
    [InlineData("""{"mode":"accept_then_timeout","count":0}""")]
    [InlineData("""{"mode":"accept_then_timeout","forSeconds":-1}""")]
    public async Task PutFault_Invalid_Returns400Problem(string json)
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PutAsync("/sandbox/sms/fault", Body(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CloudSend_WithSkipPhoneValidation_TakesANumberItCannotParse()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync("/3rdparty/v1/messages?skipPhoneValidation=true", Body("""{"message":"hi","phoneNumbers":["900"]}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("900", Assert.Single((await app.ReadInboxAsync()).Messages).ChatId);
    }

    [Fact]
    public async Task LocalWebhooks_RegisterListDelete_UseTheAppsShapes()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var created = await http.PostAsync("/webhooks", Body("""{"id":"hook-1","url":"https://ada.example/v1/sms/inbound","event":"sms:received"}"""));
        var generated = await (await http.PostAsync("/webhook", Body("""{"url":"http://127.0.0.1:9/x","event":"sms:sent"}"""))).ReadJsonAsync();
        var listed = await http.GetStringAsync("/webhooks");
        using var deleted = await http.DeleteAsync("/webhooks/hook-1");
        var afterDelete = await http.GetFromJsonAsync<JsonElement>("/webhooks");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("""{"id":"hook-1","url":"https://ada.example/v1/sms/inbound","event":"sms:received","source":"Local"}""", await created.Content.ReadAsStringAsync());
        Assert.Matches("^[A-Za-z0-9_-]{21}$", generated.GetProperty("id").GetString());
        Assert.StartsWith("""[{"id":"hook-1",""", listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("sms:sent", Assert.Single(afterDelete.EnumerateArray()).GetProperty("event").GetString());
        Assert.Equal("[]", await http.GetStringAsync("/3rdparty/v1/webhooks"));
    }

    [Fact]
    public async Task CloudWebhooks_RegisterListDelete_UseTheServersShapes()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var created = await http.PostAsync("/3rdparty/v1/webhooks", Body("""{"id":"hook-2","url":"https://ada.example/v1/sms/reports","event":"sms:delivered"}"""));
        var listed = await http.GetStringAsync("/3rdparty/v1/webhooks");
        using var deleted = await http.DeleteAsync("/3rdparty/v1/webhooks/hook-2");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        const string webhook = """{"id":"hook-2","deviceId":null,"url":"https://ada.example/v1/sms/reports","event":"sms:delivered"}""";
        Assert.Equal(webhook, await created.Content.ReadAsStringAsync());
        Assert.Equal($"[{webhook}]", listed);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("[]", await http.GetStringAsync("/3rdparty/v1/webhooks"));
    }

    [Theory]
    [InlineData("/webhooks", """{"url":"https://ada.example/x","event":"sms:exploded"}""", "Unsupported event")]
    [InlineData("/webhooks", """{"url":"not a url","event":"sms:sent"}""", "url must start with https:// or http://127.0.0.1")]
    [InlineData("/3rdparty/v1/webhooks", """{"url":"https://ada.example/x","event":"sms:exploded"}""", "validation failed: invalid event type")]
    [InlineData("/3rdparty/v1/webhooks", """{"event":"sms:sent"}""", "Key: 'Webhook.URL' Error:Field validation for 'URL' failed on the 'required' tag")]
    public async Task RegisterWebhook_Invalid_Answers400WithEachSidesMessage(string path, string json, string message)
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsync(path, Body(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (await response.ReadJsonAsync()).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/webhooks", "http://ada:8080/v1/sms/inbound", "url must start with https:// or http://127.0.0.1")]
    [InlineData("/3rdparty/v1/webhooks", "http://ada:8080/v1/sms/inbound", "validation failed: url must start with https://")]
    public async Task RegisterWebhook_WithPlainHttpWhenHttpsIsRequired_IsRefused(string path, string url, string message)
    {
        await using var app = new SmsSandboxApplication(("Sandbox:Sms:RequireHttpsWebhooks", "true"));
        using var http = app.CreateGatewayClient();

        using var response = await http.PostAsJsonAsync(path, new { url, @event = "sms:received" });
        using var loopback = await http.PostAsJsonAsync("/webhooks", new { url = "http://127.0.0.1:8080/hook", @event = "sms:received" });

        Assert.Equal(message, (await response.ReadJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Created, loopback.StatusCode);
    }

    [Fact]
    public async Task PutNumber_WithUnknownStateOrBadNumber_Returns400Problem()
    {
        await using var app = new SmsSandboxApplication();
        using var http = app.CreateClient();

        using var badState = await http.PutAsJsonAsync("/sandbox/sms/numbers/%2B79990001234", new { state = "asleep" });
        using var badNumber = await http.PutAsJsonAsync("/sandbox/sms/numbers/abc", new { state = "ok" });

        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        Assert.Equal("application/problem+json", badState.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, badNumber.StatusCode);
    }

    [Fact]
    public async Task Startup_WithMalformedFailNumbers_FailsNamingTheSetting()
    {
        var error = await SandboxFactory.StartupErrorAsync(("Sandbox:Sms:FailSendNumbers", "+79990001234,abc"));

        Assert.Contains("Sandbox:Sms:FailSendNumbers", error.ToString(), StringComparison.Ordinal);
    }
}
