using System.Diagnostics;

namespace Ada.Couriers.Sms.Tests;

/// <summary>SmsSender's own logic around a scripted gateway, on a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class SmsSenderTests(RedisServer redis) : DatabaseTest(redis)
{
    private readonly FakeGateway _gateway = new(maxRecipients: 3);
    [Fact]
    public async Task SendAsync_Numbers_GoInRequestsOfTheGatewaysSizeAndAreRemembered()
    {
        using var sender = Sender();
        var addressees = Enumerable.Range(1, 5).Select(i => To($"u{i}", $"+7999000000{i}")).ToList();

        var outcomes = await sender.SendAsync(Message("Лекция отменена"), addressees, CancellationToken.None);

        Assert.Equal(addressees.Select(a => new SendOutcome.Sent(a, $"id-{a.Address}")), outcomes);
        Assert.Equal([3, 2], _gateway.Requests.Select(r => r.Numbers.Count));
        Assert.All(_gateway.Requests, r => Assert.Equal("Лекция отменена", r.Text));
        Assert.Equal(("t1:1", "u4"), await Database.Store().FindByProviderIdAsync("sms", "id-+79990000004"));
        Assert.Equal(0, await new SmsRuPending(Database.Mux).CountAsync());
    }

    [Fact]
    public async Task SendAsync_AddressesAreNormalized()
    {
        using var sender = Sender();

        await sender.SendAsync(Message("hi"), [To("u1", "+7 (999) 000-12-34")], CancellationToken.None);

        Assert.Equal(["+79990001234"], Assert.Single(_gateway.Requests).Numbers);
    }

    [Fact]
    public async Task SendAsync_TextOverTheSegmentCap_FailsAsTooLongWithoutARequest()
    {
        using var sender = Sender(o => o.MaxSegments = 2);
        var text = new string('Я', 135);

        var outcome = Assert.Single(await sender.SendAsync(Message(text), [To("u1", "+79990001234")], CancellationToken.None));

        var failed = Assert.IsType<SendOutcome.Failed>(outcome);
        Assert.Equal("too_long", failed.ErrorClass);
        Assert.Contains("3 SMS segments", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(_gateway.Requests);
    }

    [Fact]
    public async Task SendAsync_TextAtTheSegmentCap_Sent()
    {
        using var sender = Sender(o => o.MaxSegments = 2);

        var outcome = Assert.Single(await sender.SendAsync(Message(new string('Я', 134)), [To("u1", "+79990001234")], CancellationToken.None));

        Assert.IsType<SendOutcome.Sent>(outcome);
    }

    [Fact]
    public async Task SendAsync_AddressNotAPhoneNumber_FailsAsBadAddressWhileOthersGo()
    {
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("hi"), [To("u1", "@someone"), To("u2", "+79990001234")], CancellationToken.None);

        Assert.Equal("bad_address", Assert.IsType<SendOutcome.Failed>(outcomes[0]).ErrorClass);
        Assert.IsType<SendOutcome.Sent>(outcomes[1]);
        Assert.Equal(["+79990001234"], Assert.Single(_gateway.Requests).Numbers);
    }

    [Fact]
    public async Task SendAsync_TwoPeopleShareAPhone_NeverTwiceInOneRequest()
    {
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("hi"),
            [To("u1", "+79990001234"), To("u2", "+7 999 000 12 34"), To("u3", "+79990005678")], CancellationToken.None);

        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Sent>(o));
        Assert.All(_gateway.Requests, r => Assert.Equal(r.Numbers.Count, r.Numbers.Distinct().Count()));
        Assert.Equal(3, _gateway.Requests.Sum(r => r.Numbers.Count));
    }

    [Fact]
    public async Task SendAsync_GatewayResults_BecomeOutcomes()
    {
        _gateway.Result = phone => phone switch
        {
            "+79990000001" => new SmsSendResult.Rejected("stop_list", "215: complained", Deactivate: true),
            "+79990000002" => new SmsSendResult.Transient("provider_500", "HTTP 500"),
            _ => new SmsSendResult.Transient("number_limit", "231: wait", TimeSpan.FromMinutes(1), Throttled: true),
        };
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("hi"),
            [To("u1", "+79990000001"), To("u2", "+79990000002", attempts: 2), To("u3", "+79990000003")], CancellationToken.None);

        Assert.Equal(new SendOutcome.Failed(To("u1", "+79990000001"), "stop_list", "215: complained", Deactivate: true), outcomes[0]);
        var backoff = Assert.IsType<SendOutcome.Retry>(outcomes[1]);
        Assert.Equal(("provider_500", false), (backoff.ErrorClass, backoff.Throttled));
        Assert.Null(backoff.After);
        Assert.Equal(new SendOutcome.Retry(To("u3", "+79990000003"), "number_limit", "231: wait", TimeSpan.FromMinutes(1), Throttled: true), outcomes[2]);
    }

    [Fact]
    public async Task SendAsync_RequestKey_NamesTheMessageAndItsPeople_SameWhenTheyAreTriedAgain()
    {
        using var sender = Sender();

        await sender.SendAsync(Message("hi"), [To("u2", "+79990000002"), To("u1", "+79990000001")], CancellationToken.None);
        await sender.SendAsync(Message("hi"), [To("u1", "+79990000001", attempts: 1), To("u2", "+79990000002", attempts: 1)], CancellationToken.None);
        await sender.SendAsync(new OutgoingMessage("t1:2", "hi"), [To("u1", "+79990000001"), To("u2", "+79990000002")], CancellationToken.None);

        var keys = _gateway.Requests.Select(r => r.Key).ToList();
        Assert.Equal("""["t1:1","u1","u2"]""", keys[0]);
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal("""["t1:2","u1","u2"]""", keys[2]);
    }

    [Fact]
    public async Task SendAsync_TwoPeopleShareAPhone_TheirRequestsHaveDifferentKeys()
    {
        using var sender = Sender();

        await sender.SendAsync(Message("hi"), [To("u1", "+79990001234"), To("u2", "+79990001234")], CancellationToken.None);

        Assert.Equal(["""["t1:1","u1"]""", """["t1:1","u2"]"""], _gateway.Requests.Select(r => r.Key));
    }

    [Fact]
    public async Task SendAsync_RetriedPeople_NeverShareARequestWithFirstTries()
    {
        using var sender = Sender();

        await sender.SendAsync(Message("hi"),
            [To("u1", "+79990000001", attempts: 1), To("u3", "+79990000003"), To("u2", "+79990000002", attempts: 1)], CancellationToken.None);

        Assert.Equal(
            [["+79990000001", "+79990000002"], ["+79990000003"]],
            _gateway.Requests.Select(r => r.Numbers));
    }

    [Fact]
    public async Task SendAsync_RequestFailsWithoutRetryAfter_LeavesTheBackoffToTheRuntime()
    {
        _gateway.Result = _ => new SmsSendResult.Transient("network", "the gateway did not answer in time");
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("hi"),
            [To("u1", "+79990000001", attempts: 3), To("u2", "+79990000002", attempts: 3), To("u3", "+79990000003", attempts: 3)],
            CancellationToken.None);

        Assert.All(outcomes, o => Assert.Null(Assert.IsType<SendOutcome.Retry>(o).After));
    }

    [Fact]
    public async Task SendAsync_PolledGateway_QueuesItsIdsForStatusLookUps()
    {
        var gateway = new FakeGateway(polls: true);
        using var sender = Sender(gateway: gateway);
        var before = DateTimeOffset.UtcNow;

        await sender.SendAsync(Message("hi"), [To("u1", "+79990000001"), To("u2", "+79990000002")], CancellationToken.None);

        var due = await new SmsRuPending(Database.Mux).DueAsync(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), 10);
        Assert.Equal(["id-+79990000001", "id-+79990000002"], due.Select(d => d.SmsId).Order());
        Assert.All(due, d => Assert.InRange(d.SentAt, before.AddMilliseconds(-1), DateTimeOffset.UtcNow));
        Assert.Empty(await new SmsRuPending(Database.Mux).DueAsync(DateTimeOffset.UtcNow, 10));
    }

    [Fact]
    public async Task SendAsync_MoreThanPerNumberLimit_WaitsForTheNumbersNextMinute()
    {
        using var sender = Sender(o => o.PerNumberPerMinute = 2);

        var outcomes = new List<SendOutcome>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.AddRange(await sender.SendAsync(Message($"text {i}"), [To("u1", "+79990000001"), To($"x{i}", $"+7999111000{i}")], CancellationToken.None));
        }

        Assert.Equal(5, outcomes.OfType<SendOutcome.Sent>().Count());
        var waiting = Assert.Single(outcomes.OfType<SendOutcome.Retry>());
        Assert.Equal(("u1", "number_limit", true), (waiting.To.UserId, waiting.ErrorClass, waiting.Throttled));
        Assert.InRange(waiting.After!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
    }

    [Fact]
    public async Task SendAsync_StopAlreadySignalled_RetriesEveryoneAndSendsNothing()
    {
        using var sender = Sender();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        var addressees = Enumerable.Range(1, 5).Select(i => To($"u{i}", $"+7999000000{i}")).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, stop.Token);

        Assert.Equal(addressees, outcomes.Select(o => o.To));
        Assert.All(outcomes, o => Assert.Equal("stopped", Assert.IsType<SendOutcome.Retry>(o).ErrorClass));
        Assert.Empty(_gateway.Requests);
    }

    [Fact]
    public async Task SendAsync_StopSignalledWhileWaitingForThePace_SendsWhatHadItsTurn()
    {
        var gateway = new FakeGateway(maxRecipients: 100);
        using var sender = Sender(o => o.MessagesPerSecond = 20, gateway);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var addressees = Enumerable.Range(1, 60).Select(i => To($"u{i}", $"+79990000{i:000}")).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, stop.Token);

        var sent = outcomes.OfType<SendOutcome.Sent>().Count();
        Assert.InRange(sent, 1, 59);
        Assert.Equal(60 - sent, outcomes.OfType<SendOutcome.Retry>().Count());
        Assert.Equal(sent, gateway.Requests.Sum(r => r.Numbers.Count));
    }

    [Fact]
    public async Task SendAsync_Paced_TakesOneTokenPerNumber()
    {
        var gateway = new FakeGateway(maxRecipients: 100);
        using var sender = Sender(o => o.MessagesPerSecond = 10, gateway);
        var addressees = Enumerable.Range(1, 20).Select(i => To($"u{i}", $"+79990000{i:000}")).ToList();
        var clock = Stopwatch.StartNew();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, CancellationToken.None);

        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Sent>(o));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"20 texts at 10/s took only {clock.Elapsed}");
    }

    [Theory]
    [InlineData(5, 50, 5)]
    [InlineData(0.5, 50, 1)]
    [InlineData(0, 50, 50)]
    [InlineData(500, 100, 100)]
    public void BatchSize_AboutOneSecondOfSending_AtMostOneRequest(double perSecond, int maxRecipients, int expected)
    {
        using var sender = Sender(o => o.MessagesPerSecond = perSecond, new FakeGateway(maxRecipients));

        Assert.Equal(expected, sender.BatchSize);
    }

    private SmsSender Sender(Action<SmsOptions>? configure = null, FakeGateway? gateway = null)
    {
        var options = new SmsOptions { BaseUrl = "http://gw", Username = "u", Password = "p", MessagesPerSecond = 0, PerNumberPerMinute = 0 };
        configure?.Invoke(options);
        return Database.Sender(gateway ?? _gateway, options);
    }

    private static OutgoingMessage Message(string text) => new("t1:1", text);

    private static Addressee To(string user, string phone, int attempts = 0) => new(user, phone, attempts);
}
