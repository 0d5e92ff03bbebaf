namespace Ada.Couriers.Sms.Tests;

/// <summary>The SMS.ru status look-ups moving receipts, against a scripted SMS.ru and a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class SmsRuStatusPollerTests(RedisServer redis, ITestOutputHelper output) : DatabaseTest(redis)
{
    private readonly StubHttp _http = new();
    private readonly Dictionary<string, (int Code, string Text)> _statuses = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _http.Answer = call =>
        {
            var ids = StubHttp.Form(call.Body)["sms_id"].Split(',');
            var entries = ids.Select(id => _statuses.TryGetValue(id, out var s)
                ? $$"""
                    "{{id}}":{"status":"OK","status_code":{{s.Code}},"status_text":"{{s.Text}}"}
                    """
                : $$"""
                    "{{id}}":{"status":"ERROR","status_code":-1,"status_text":"not found"}
                    """);
            return StubHttp.Json(HttpStatusCode.OK, $$"""{"status":"OK","status_code":100,"sms":{{{string.Join(',', entries)}}},"balance":1}""");
        };
    }

    [Fact]
    public async Task PollOnce_DeliveredAndFailed_MoveTheirReceiptsAndLeaveTheQueue()
    {
        var id = await Database.SentMessageAsync(("u1", "s-1"), ("u2", "s-2"), ("u3", "s-3"));
        await RememberAsync(id, ("u1", "s-1"), ("u2", "s-2"), ("u3", "s-3"));
        _statuses["s-1"] = (103, "Сообщение доставлено");
        _statuses["s-2"] = (104, "Время жизни истекло");
        _statuses["s-3"] = (102, "в пути");

        var changed = await Poller().PollOnceAsync(CancellationToken.None);

        Assert.Equal(2, changed);
        Assert.Equal("delivered", (await Database.ReceiptAsync(id, "u1")).Status);
        var failed = await Database.ReceiptAsync(id, "u2");
        Assert.Equal(("failed", "104: Время жизни истекло"), (failed.Status, failed.Detail));
        Assert.Equal("sent", (await Database.ReceiptAsync(id, "u3")).Status);
        var section = await Database.SmsSectionAsync(id);
        // A delivered text stays counted as sent (delivered is a part of sent); a failed one moves from sent to failed.
        Assert.Equal((1, 1, 2), ((int)section["delivered"]!, (int)section["failed"]!, (int)section["sent"]!));
        Assert.Equal(1, (int)section["errors"]!["expired"]!);
        Assert.Equal(1, await new SmsRuPending(Database.Mux).CountAsync());
        Assert.Empty(await new SmsRuPending(Database.Mux).DueAsync(DateTimeOffset.UtcNow.AddSeconds(1), 10));
    }

    [Fact]
    public async Task PollOnce_NothingDueYet_AsksNothing()
    {
        await new SmsRuPending(Database.Mux).AddAsync(["s-1"], DateTimeOffset.UtcNow);

        Assert.Equal(0, await Poller().PollOnceAsync(CancellationToken.None));
        Assert.Empty(_http.Calls);
    }

    [Fact]
    public async Task PollOnce_ManyPending_AsksInRequestsOf100()
    {
        var sent = Enumerable.Range(1, 250).Select(i => ($"u{i}", $"s-{i}")).ToArray();
        var id = await Database.SentMessageAsync(sent);
        await RememberAsync(id, sent);
        foreach (var (_, smsId) in sent)
        {
            _statuses[smsId] = (103, "ok");
        }

        Assert.Equal(250, await Poller().PollOnceAsync(CancellationToken.None));

        Assert.Equal([100, 100, 50], _http.Calls.Select(c => StubHttp.Form(c.Body)["sms_id"].Split(',').Length));
        Assert.Equal(250, (int)(await Database.SmsSectionAsync(id))["delivered"]!);
        Assert.Equal(0, await new SmsRuPending(Database.Mux).CountAsync());
    }

    [Fact]
    public async Task PollOnce_OlderThanTheGiveUp_DroppedWithoutAsking()
    {
        var pending = new SmsRuPending(Database.Mux);
        await pending.AddAsync(["s-old"], DateTimeOffset.UtcNow - TimeSpan.FromHours(49));

        Assert.Equal(0, await Poller().PollOnceAsync(CancellationToken.None));

        Assert.Empty(_http.Calls);
        Assert.Equal(0, await pending.CountAsync());
    }

    [Fact]
    public async Task PollOnce_SmsRuUnreachable_KeepsTheTextsForLater()
    {
        var id = await Database.SentMessageAsync(("u1", "s-1"));
        await RememberAsync(id, ("u1", "s-1"));
        _http.Answer = _ => throw new HttpRequestException("connection refused");

        Assert.Equal(0, await Poller().PollOnceAsync(CancellationToken.None));

        Assert.Single(_http.Calls);
        Assert.Equal(1, await new SmsRuPending(Database.Mux).CountAsync());
        Assert.Equal("sent", (await Database.ReceiptAsync(id, "u1")).Status);
    }

    [Fact]
    public async Task PollOnce_ReportArrivesBeforeTheReceipt_TriedAgainLater()
    {
        var pending = new SmsRuPending(Database.Mux);
        var id = await Database.SentMessageAsync();
        await Database.Store().RememberProviderIdAsync("sms", "s-1", id, "u1");
        await pending.AddAsync(["s-1"], DateTimeOffset.UtcNow - TimeSpan.FromSeconds(10));
        _statuses["s-1"] = (103, "ok");

        Assert.Equal(0, await Poller().PollOnceAsync(CancellationToken.None));

        Assert.Equal(1, await pending.CountAsync());
    }

    [Theory]
    [InlineData(30, 5)]
    [InlineData(600, 30)]
    [InlineData(7200, 300)]
    [InlineData(86400, 1800)]
    public void NextCheckAfter_LessOftenAsTheTextAges(int ageSeconds, int nextSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(nextSeconds), SmsRuPending.NextCheckAfter(TimeSpan.FromSeconds(ageSeconds), TimeSpan.FromSeconds(5)));

    /// <summary>As the sender leaves things: the provider id remembered and queued for look-ups, due now.</summary>
    private async Task RememberAsync(string id, params (string UserId, string SmsId)[] sent)
    {
        var store = Database.Store();
        foreach (var (userId, smsId) in sent)
        {
            await store.RememberProviderIdAsync("sms", smsId, id, userId);
        }
        await new SmsRuPending(Database.Mux).AddAsync(sent.Select(s => s.SmsId), DateTimeOffset.UtcNow - SmsRuPending.FirstCheck);
    }

    private SmsRuStatusPoller Poller()
    {
        var options = new SmsOptions { Provider = SmsOptions.SmsRu, ApiId = "k" };
        var client = new SmsRuClient(_http.Client("https://sms.example/"), options, NullLogger<SmsRuClient>.Instance);
        return Database.Poller(client, options, output);
    }
}
