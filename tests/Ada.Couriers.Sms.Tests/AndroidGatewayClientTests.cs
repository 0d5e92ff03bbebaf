namespace Ada.Couriers.Sms.Tests;

/// <summary>SMS Gateway for Android's HTTP API as its docs and source describe it.</summary>
public sealed class AndroidGatewayClientTests
{
    private const string Key = "[\"t1:1\",\"u1\",\"u2\"]";

    private readonly StubHttp _http = new();

    [Theory]
    [InlineData("http://192.168.1.10:8080/", "/message")]
    [InlineData("https://api.sms-gate.app/3rdparty/v1/", "/3rdparty/v1/messages")]
    [InlineData("https://sms.example.edu/gw/3rdparty/v1/", "/gw/3rdparty/v1/messages")]
    public async Task SendAsync_OneRequestForAllNumbers_OnTheModesPath(string baseAddress, string path)
    {
        _http.Answer = _ => Accepted("PyDmBQZZXYmyxMwED8Fzy", ("+79990001234", "Pending", null), ("+79990005678", "Pending", null));

        var results = await Client(baseAddress).SendAsync("Лекция отменена", ["+79990001234", "+79990005678"], Key, CancellationToken.None);

        var call = Assert.Single(_http.Calls);
        Assert.Equal((HttpMethod.Post, path), (call.Method, call.Path));
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal("Лекция отменена", (string?)body["textMessage"]!["text"]);
        Assert.Equal(["+79990001234", "+79990005678"], body["phoneNumbers"]!.AsArray().Select(n => (string?)n));
        Assert.True((bool?)body["withDeliveryReport"]);
        Assert.Equal(
            [new SmsSendResult.Accepted("PyDmBQZZXYmyxMwED8Fzy:+79990001234"), new SmsSendResult.Accepted("PyDmBQZZXYmyxMwED8Fzy:+79990005678")],
            results);
    }

    [Fact]
    public async Task SendAsync_UsesBasicAuth()
    {
        _http.Answer = _ => Accepted("m1", ("+79990001234", "Pending", null));

        await Client().SendAsync("hi", ["+79990001234"], Key, CancellationToken.None);

        Assert.Equal("Basic c21zOnNlY3JldA==", _http.Calls.Single().Authorization);
    }

    [Fact]
    public async Task SendAsync_RecipientFailedInTheAnswer_RejectsThatNumberOnly()
    {
        _http.Answer = _ => Accepted("m1", ("79990001234", "Pending", null), ("79990005678", "Failed", "RESULT_ERROR_GENERIC_FAILURE"));

        var results = await Client().SendAsync("hi", ["+79990001234", "+79990005678"], Key, CancellationToken.None);

        Assert.IsType<SmsSendResult.Accepted>(results[0]);
        Assert.Equal(new SmsSendResult.Rejected("rejected", "RESULT_ERROR_GENERIC_FAILURE"), results[1]);
    }

    [Fact]
    public async Task SendAsync_BadRequestForSeveralNumbers_FindsTheBadOneByOne()
    {
        _http.Answer = call =>
        {
            var numbers = JsonNode.Parse(call.Body)!["phoneNumbers"]!.AsArray().Select(n => (string)n!).ToList();
            return numbers.Contains("+10000000000")
                ? StubHttp.Json(HttpStatusCode.BadRequest, """{"message":"invalid phone number +10000000000"}""")
                : Accepted("m-" + numbers[0], [.. numbers.Select(n => (n, "Pending", (string?)null))]);
        };

        var results = await Client().SendAsync("hi", ["+79990001234", "+10000000000", "+79990005678"], Key, CancellationToken.None);

        Assert.Equal(new SmsSendResult.Accepted("m-+79990001234:+79990001234"), results[0]);
        Assert.Equal(new SmsSendResult.Rejected("rejected", "400: invalid phone number +10000000000"), results[1]);
        Assert.Equal(new SmsSendResult.Accepted("m-+79990005678:+79990005678"), results[2]);
        Assert.Equal(4, _http.Calls.Count);
        // The resends are other requests: each has its own id, not the refused request's.
        Assert.Equal(
            [
                AndroidGatewayClient.MessageId(Key, "hi", ["+79990001234", "+10000000000", "+79990005678"]),
                AndroidGatewayClient.MessageId(Key, "hi", ["+79990001234"]),
                AndroidGatewayClient.MessageId(Key, "hi", ["+10000000000"]),
                AndroidGatewayClient.MessageId(Key, "hi", ["+79990005678"]),
            ],
            _http.Calls.Select(c => (string?)JsonNode.Parse(c.Body)!["id"]));
        Assert.Equal(4, _http.Calls.Select(c => (string?)JsonNode.Parse(c.Body)!["id"]).Distinct().Count());
    }

    [Fact]
    public async Task SendAsync_SameRequestAgain_CarriesTheSameIdOf32HexCharacters()
    {
        _http.Answer = call => Accepted((string)JsonNode.Parse(call.Body)!["id"]!, ("+79990001234", "Pending", null), ("+79990005678", "Pending", null));

        var first = await Client().SendAsync("Лекция отменена", ["+79990001234", "+79990005678"], Key, CancellationToken.None);
        var again = await Client().SendAsync("Лекция отменена", ["+79990005678", "+79990001234"], Key, CancellationToken.None);

        var ids = _http.Calls.Select(c => (string)JsonNode.Parse(c.Body)!["id"]!).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.Matches("^[0-9a-f]{32}$", ids[0]);
        Assert.Equal(AndroidGatewayClient.MessageId(Key, "Лекция отменена", ["+79990001234", "+79990005678"]), ids[0]);
        Assert.StartsWith($$"""{"id":"{{ids[0]}}","textMessage":""", _http.Calls.First().Body, StringComparison.Ordinal);
        Assert.Equal(new SmsSendResult.Accepted($"{ids[0]}:+79990001234"), first[0]);
        Assert.Equal(first[0], again[1]);
    }

    [Fact]
    public void MessageId_AnotherMessagePeopleTextOrNumbers_AnotherId()
    {
        var id = AndroidGatewayClient.MessageId(Key, "hi", ["+79990001234", "+79990005678"]);

        Assert.Equal(id, AndroidGatewayClient.MessageId(Key, "hi", ["+79990005678", "+79990001234"]));
        Assert.All(
            new[]
            {
                AndroidGatewayClient.MessageId("[\"t1:2\",\"u1\",\"u2\"]", "hi", ["+79990001234", "+79990005678"]),
                AndroidGatewayClient.MessageId("[\"t1:1\",\"u1\",\"u3\"]", "hi", ["+79990001234", "+79990005678"]),
                AndroidGatewayClient.MessageId(Key, "hi!", ["+79990001234", "+79990005678"]),
                AndroidGatewayClient.MessageId(Key, "hi", ["+79990001234"]),
                AndroidGatewayClient.MessageId(Key, "hi", ["+79990001234", "+79990005679"]),
            },
            other => Assert.NotEqual(id, other));
    }

    [Theory]
    [InlineData("""{"message":"duplicate id"}""")]
    [InlineData("""{"message":"Message with the same ID already exists"}""")]
    public async Task SendAsync_Conflict_EveryNumberAcceptedEarlierUnderOurId(string answer)
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.Conflict, answer);

        var results = await Client().SendAsync("hi", ["+79990001234", "+79990005678"], Key, CancellationToken.None);

        var id = AndroidGatewayClient.MessageId(Key, "hi", ["+79990001234", "+79990005678"]);
        Assert.Equal(
            [
                new SmsSendResult.Accepted(SmsProviderIds.AndroidGateway(id, "+79990001234")),
                new SmsSendResult.Accepted(SmsProviderIds.AndroidGateway(id, "+79990005678")),
            ],
            results);
        Assert.Single(_http.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public async Task SendAsync_OtherClientErrors_RejectedNotTakenAsSent(HttpStatusCode status)
    {
        _http.Answer = _ => StubHttp.Json(status, """{"message":"nope"}""");

        var results = await Client().SendAsync("hi", ["+79990001234", "+79990005678"], Key, CancellationToken.None);

        Assert.All(results, r => Assert.Equal(new SmsSendResult.Rejected("rejected", $"{(int)status}: nope"), r));
    }

    [Fact]
    public async Task SendAsync_TooManyRequests_ThrottledForRetryAfter()
    {
        _http.Answer = _ =>
        {
            var response = StubHttp.Json(HttpStatusCode.TooManyRequests, """{"message":"slow down"}""");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return response;
        };

        var result = Assert.Single(await Client().SendAsync("hi", ["+79990001234"], Key, CancellationToken.None));

        Assert.Equal(new SmsSendResult.Transient("throttled", "429: slow down", TimeSpan.FromSeconds(7), Throttled: true), result);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "unauthorized")]
    [InlineData(HttpStatusCode.InternalServerError, "provider_500")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "provider_503")]
    public async Task SendAsync_CredentialsOrServerErrors_EveryNumberRetries(HttpStatusCode status, string errorClass)
    {
        _http.Answer = _ => StubHttp.Json(status, """{"message":"nope"}""");

        var results = await Client().SendAsync("hi", ["+79990001234", "+79990005678"], Key, CancellationToken.None);

        Assert.All(results, r => Assert.Equal(errorClass, Assert.IsType<SmsSendResult.Transient>(r).ErrorClass));
        Assert.Single(_http.Calls);
    }

    [Fact]
    public async Task SendAsync_GatewayUnreachable_Transient()
    {
        _http.Answer = _ => throw new HttpRequestException("No route to host");

        var result = Assert.Single(await Client().SendAsync("hi", ["+79990001234"], Key, CancellationToken.None));

        Assert.Equal(new SmsSendResult.Transient("network", "No route to host"), result);
    }

    [Fact]
    public async Task SendAsync_AcceptedWithoutAReadableAnswer_SentUnderOurId()
    {
        _http.Answer = _ => new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent("ok") };

        var result = Assert.Single(await Client().SendAsync("hi", ["+79990001234"], Key, CancellationToken.None));

        Assert.Equal(new SmsSendResult.Accepted(SmsProviderIds.AndroidGateway(AndroidGatewayClient.MessageId(Key, "hi", ["+79990001234"]), "+79990001234")), result);
    }

    [Fact]
    public async Task Webhooks_ListedAndRegisteredAtTheWebhooksPath()
    {
        _http.Answer = call => call.Method == HttpMethod.Get
            ? StubHttp.Json(HttpStatusCode.OK, """[{"id":"w1","url":"https://ada.example/v1/sms/reports","event":"sms:sent","deviceId":null}]""")
            : StubHttp.Json(HttpStatusCode.Created, """{"id":"w2","url":"https://ada.example/v1/sms/inbound","event":"sms:received"}""");
        var client = Client("https://api.sms-gate.app/3rdparty/v1/");

        var listed = await client.ListWebhooksAsync(CancellationToken.None);
        await client.RegisterWebhookAsync("https://ada.example/v1/sms/inbound", "sms:received", CancellationToken.None);

        Assert.Equal(new AndroidGatewayClient.Webhook("w1", "https://ada.example/v1/sms/reports", "sms:sent"), Assert.Single(listed));
        var register = _http.Calls.Last();
        Assert.Equal((HttpMethod.Post, "/3rdparty/v1/webhooks"), (register.Method, register.Path));
        var body = JsonNode.Parse(register.Body)!.AsObject();
        Assert.Equal(("https://ada.example/v1/sms/inbound", "sms:received"), ((string?)body["url"], (string?)body["event"]));
        Assert.False(body.ContainsKey("id"));
    }

    private static HttpResponseMessage Accepted(string id, params (string Phone, string State, string? Error)[] recipients) =>
        StubHttp.Json(HttpStatusCode.Accepted, new JsonObject
        {
            ["id"] = id,
            ["deviceId"] = "dev1",
            ["state"] = "Pending",
            ["isHashed"] = false,
            ["isEncrypted"] = false,
            ["recipients"] = new JsonArray([.. recipients.Select(r => (JsonNode)new JsonObject
            {
                ["phoneNumber"] = r.Phone,
                ["state"] = r.State,
                ["error"] = r.Error,
            })]),
            ["states"] = new JsonObject { ["Pending"] = "2024-01-01T00:00:00Z" },
        }.ToJsonString());

    private AndroidGatewayClient Client(string baseAddress = "http://192.168.1.10:8080/")
    {
        var http = _http.Client(baseAddress);
        http.DefaultRequestHeaders.Authorization = AndroidGatewayClient.BasicAuth("sms", "secret");
        return new AndroidGatewayClient(http, new SmsOptions { BaseUrl = baseAddress, Username = "sms", Password = "secret" },
            NullLogger<AndroidGatewayClient>.Instance);
    }
}
