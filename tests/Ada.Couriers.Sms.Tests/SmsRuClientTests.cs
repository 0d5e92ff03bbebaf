namespace Ada.Couriers.Sms.Tests;

/// <summary>SMS.ru's answers as documented, read number by number.</summary>
public sealed class SmsRuClientTests
{
    /// <summary>SMS.ru has no idempotency key: the key is never sent.</summary>
    private const string Key = "[\"t1:1\",\"u1\"]";

    private readonly StubHttp _http = new();

    [Fact]
    public async Task SendAsync_TopLevelOkWithOneNumberInError_FailsThatNumberOnly()
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK, """
            {"status":"OK","status_code":100,"sms":{
              "79255070602":{"status":"OK","status_code":100,"sms_id":"000000-10000000"},
              "74993221627":{"status":"ERROR","status_code":207,"status_text":"На этот номер (или один из номеров) нельзя отправлять сообщения"},
              "79990001234":{"status":"OK","status_code":100,"sms_id":"000000-10000001"}},
             "balance":4122.56}
            """);

        var results = await Client().SendAsync("Лекция отменена", ["+79255070602", "+74993221627", "+79990001234"], Key, CancellationToken.None);

        Assert.Equal(new SmsSendResult.Accepted("000000-10000000"), results[0]);
        var failed = Assert.IsType<SmsSendResult.Rejected>(results[1]);
        Assert.Equal("no_route", failed.ErrorClass);
        Assert.StartsWith("207: На этот номер", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(new SmsSendResult.Accepted("000000-10000001"), results[2]);
    }

    [Fact]
    public async Task SendAsync_PostsTheDocumentedForm()
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK,
            """{"status":"OK","status_code":100,"sms":{"79255070602":{"status":"OK","status_code":100,"sms_id":"1"}}}""");

        await Client(sender: "Univer").SendAsync("Привет & пока", ["+79255070602"], Key, CancellationToken.None);

        var call = Assert.Single(_http.Calls);
        Assert.Equal((HttpMethod.Post, "/sms/send"), (call.Method, call.Path));
        var form = StubHttp.Form(call.Body);
        Assert.Equal("api-secret", form["api_id"]);
        Assert.Equal("79255070602", form["to"]);
        Assert.Equal("Привет & пока", form["msg"]);
        Assert.Equal("1", form["json"]);
        Assert.Equal("Univer", form["from"]);
        Assert.Equal(["api_id", "to", "msg", "json", "from"], form.Keys);
    }

    [Fact]
    public async Task SendAsync_SeveralNumbers_OneRequestWithCommaSeparatedDigits()
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK, """{"status":"OK","status_code":100,"sms":{}}""");

        var results = await Client().SendAsync("hi", ["+79255070602", "+74993221627"], Key, CancellationToken.None);

        Assert.Equal("79255070602,74993221627", StubHttp.Form(Assert.Single(_http.Calls).Body)["to"]);
        Assert.All(results, r => Assert.Equal("bad_response", Assert.IsType<SmsSendResult.Transient>(r).ErrorClass));
        Assert.False(StubHttp.Form(_http.Calls.Single().Body).ContainsKey("from"));
    }

    [Theory]
    [InlineData(202, "bad_address")]
    [InlineData(209, "stop_list")]
    [InlineData(214, "abroad")]
    [InlineData(216, "rejected")]
    public async Task SendAsync_PermanentNumberErrors_Rejected(int code, string errorClass)
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK,
            $$$$"""{"status":"OK","status_code":100,"sms":{"79255070602":{"status":"ERROR","status_code":{{{{code}}}},"status_text":"no"}}}""");

        var result = Assert.Single(await Client().SendAsync("hi", ["+79255070602"], Key, CancellationToken.None));

        var rejected = Assert.IsType<SmsSendResult.Rejected>(result);
        Assert.Equal((errorClass, false), (rejected.ErrorClass, rejected.Deactivate));
    }

    [Fact]
    public async Task SendAsync_NumberInGlobalStopList_RejectedAndDeactivated()
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK,
            """{"status":"OK","status_code":100,"sms":{"79255070602":{"status":"ERROR","status_code":215,"status_text":"spam complaint"}}}""");

        var result = Assert.Single(await Client().SendAsync("hi", ["+79255070602"], Key, CancellationToken.None));

        Assert.True(Assert.IsType<SmsSendResult.Rejected>(result).Deactivate);
    }

    [Theory]
    [InlineData(220, "provider_220", false)]
    [InlineData(500, "provider_500", false)]
    [InlineData(201, "no_funds", false)]
    [InlineData(200, "unauthorized", false)]
    [InlineData(206, "daily_limit", true)]
    public async Task SendAsync_RequestLevelErrors_EveryNumberRetries(int code, string errorClass, bool throttled)
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK, $$"""{"status":"ERROR","status_code":{{code}},"status_text":"busy"}""");

        var results = await Client().SendAsync("hi", ["+79255070602", "+74993221627"], Key, CancellationToken.None);

        Assert.Equal(2, results.Count);
        Assert.All(results, r =>
        {
            var transient = Assert.IsType<SmsSendResult.Transient>(r);
            Assert.Equal((errorClass, throttled), (transient.ErrorClass, transient.Throttled));
            Assert.Contains($"{code}: busy", transient.Reason, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task SendAsync_ServerErrors_Transient(HttpStatusCode status)
    {
        _http.Answer = _ => new HttpResponseMessage(status);

        var result = Assert.Single(await Client().SendAsync("hi", ["+79255070602"], Key, CancellationToken.None));

        Assert.Equal($"provider_{(int)status}", Assert.IsType<SmsSendResult.Transient>(result).ErrorClass);
    }

    [Fact]
    public async Task SendAsync_NetworkError_Transient()
    {
        _http.Answer = _ => throw new HttpRequestException("connection refused");

        var result = Assert.Single(await Client().SendAsync("hi", ["+79255070602"], Key, CancellationToken.None));

        Assert.Equal("network", Assert.IsType<SmsSendResult.Transient>(result).ErrorClass);
    }

    [Fact]
    public async Task StatusAsync_ReadsEachIdsCode()
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK, """
            {"status":"OK","status_code":100,"sms":{
              "a-1":{"status":"OK","status_code":103,"status_text":"Сообщение доставлено"},
              "a-2":{"status":"OK","status_code":"102","status_text":"в пути"},
              "a-3":{"status":"OK","status_code":105,"status_text":"удалено оператором"},
              "a-4":{"status":"ERROR","status_code":-1,"status_text":"Сообщение не найдено"}},"balance":10}
            """);

        var statuses = await Client().StatusAsync(["a-1", "a-2", "a-3", "a-4"], CancellationToken.None);

        Assert.NotNull(statuses);
        Assert.True(statuses["a-1"].IsDelivered);
        Assert.True(statuses["a-2"].IsPending);
        Assert.Equal(("deleted_by_operator", false, false), (statuses["a-3"].FailureClass, statuses["a-3"].IsPending, statuses["a-3"].IsDelivered));
        Assert.True(statuses["a-4"].IsUnknown);
        var form = StubHttp.Form(Assert.Single(_http.Calls).Body);
        Assert.Equal(("a-1,a-2,a-3,a-4", "1"), (form["sms_id"], form["json"]));
        Assert.Equal("/sms/status", _http.Calls.Single().Path);
    }

    [Fact]
    public async Task StatusAsync_RequestRefused_IsNull()
    {
        _http.Answer = _ => StubHttp.Json(HttpStatusCode.OK, """{"status":"ERROR","status_code":200,"status_text":"Неправильный api_id"}""");

        Assert.Null(await Client().StatusAsync(["a-1"], CancellationToken.None));
    }

    private SmsRuClient Client(string? sender = null) =>
        new(_http.Client("https://sms.example/"), new SmsOptions { Provider = SmsOptions.SmsRu, ApiId = "api-secret", Sender = sender },
            NullLogger<SmsRuClient>.Instance);
}
