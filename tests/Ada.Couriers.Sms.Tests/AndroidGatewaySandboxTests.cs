namespace Ada.Couriers.Sms.Tests;

/// <summary>The Android gateway client, the sender and the webhook registration against the gateway emulator.</summary>
[Collection(RedisCollection.Name)]
public sealed class AndroidGatewaySandboxTests(RedisServer redis, SmsSandbox sandbox, ITestOutputHelper output)
    : DatabaseTest(redis), IClassFixture<SmsSandbox>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_SeveralNumbers_LandInTheInboxAndTheirIdsAreRemembered(bool cloud)
    {
        var phones = new[] { SmsSandbox.NewNumber(), SmsSandbox.NewNumber(), SmsSandbox.NewNumber() };
        using var sender = Sender(cloud ? sandbox.CloudServer : sandbox.LocalServer);

        var outcomes = await sender.SendAsync(new OutgoingMessage("t1:1", "Лекция в 10:00 отменена"),
            [.. phones.Select((p, i) => new Addressee($"u{i}", p))], CancellationToken.None);

        var store = Database.Store();
        for (var i = 0; i < phones.Length; i++)
        {
            var sent = Assert.IsType<SendOutcome.Sent>(outcomes[i]);
            var received = Assert.Single(await sandbox.InboxAsync(phones[i]));
            Assert.Equal("Лекция в 10:00 отменена", received.Text);
            Assert.Equal(SmsProviderIds.AndroidGateway(received.ProviderMessageId!, phones[i]), sent.ProviderMessageId);
            Assert.Equal(("t1:1", $"u{i}"), await store.FindByProviderIdAsync("sms", sent.ProviderMessageId!));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_SameRequestTwice_CarriesOurIdBothTimes_TheSecondIs409AndTextsNobodyAgain(bool cloud)
    {
        var phones = new[] { SmsSandbox.NewNumber(), SmsSandbox.NewNumber() };
        using var sender = Sender(cloud ? sandbox.CloudServer : sandbox.LocalServer);
        var message = new OutgoingMessage("t1:7", "Пара в 301");

        var first = await sender.SendAsync(message, [new Addressee("u1", phones[0]), new Addressee("u2", phones[1])], CancellationToken.None);
        var again = await sender.SendAsync(message, [new Addressee("u1", phones[0], 1), new Addressee("u2", phones[1], 1)], CancellationToken.None);

        var id = AndroidGatewayClient.MessageId(SmsSender.RequestKey("t1:7", ["u1", "u2"]), "Пара в 301", phones);
        Assert.Matches("^[0-9a-f]{32}$", id);
        for (var i = 0; i < phones.Length; i++)
        {
            Assert.Equal(SmsProviderIds.AndroidGateway(id, phones[i]), Assert.IsType<SendOutcome.Sent>(first[i]).ProviderMessageId);
            Assert.Equal(SmsProviderIds.AndroidGateway(id, phones[i]), Assert.IsType<SendOutcome.Sent>(again[i]).ProviderMessageId);
            Assert.Equal(("Пара в 301", id), Assert.Single(await sandbox.InboxAsync(phones[i])));
        }
    }

    [Theory]
    [InlineData(false, "accept_then_timeout", "network")]
    [InlineData(true, "accept_then_timeout", "network")]
    [InlineData(false, "accept_then_error502", "provider_502")]
    [InlineData(true, "accept_then_error502", "provider_502")]
    public async Task Send_AnswerLostAfterTheGatewayAccepted_RetryCarriesTheSameIdGets409AndIsSentOnce(bool cloud, string fault, string errorClass)
    {
        var phones = new[] { SmsSandbox.NewNumber(), SmsSandbox.NewNumber() };
        using var sender = Sender(cloud ? sandbox.CloudServer : sandbox.LocalServer, timeout: TimeSpan.FromSeconds(4));
        var message = new OutgoingMessage("t1:8", "Зачёт переносится");
        await sandbox.SetGatewayFaultAsync(fault);
        IReadOnlyList<SendOutcome> lost;
        try
        {
            lost = await sender.SendAsync(message, [new Addressee("u1", phones[0]), new Addressee("u2", phones[1])], CancellationToken.None);
        }
        finally
        {
            await sandbox.SetGatewayFaultAsync("none", count: null);
        }

        // The gateway sent both texts; the courier only saw the request fail, and retries the people together.
        Assert.All(lost, o => Assert.Equal(errorClass, Assert.IsType<SendOutcome.Retry>(o).ErrorClass));
        Assert.Single(lost.Select(o => ((SendOutcome.Retry)o).After).Distinct());
        var retried = await sender.SendAsync(message, [.. lost.Select(o => o.To with { Attempts = 1 })], CancellationToken.None);

        var store = Database.Store();
        for (var i = 0; i < phones.Length; i++)
        {
            var (text, gatewayId) = Assert.Single(await sandbox.InboxAsync(phones[i]));
            Assert.Equal("Зачёт переносится", text);
            var sent = Assert.IsType<SendOutcome.Sent>(retried[i]);
            Assert.Equal(SmsProviderIds.AndroidGateway(gatewayId!, phones[i]), sent.ProviderMessageId);
            Assert.Equal(("t1:8", $"u{i + 1}"), await store.FindByProviderIdAsync("sms", sent.ProviderMessageId!));
        }
    }

    [Fact]
    public async Task Send_WrongPassword_RetriedAsAConfigurationFault()
    {
        var phone = SmsSandbox.NewNumber();
        using var sender = Sender(sandbox.LocalServer, password: "wrong");

        var outcome = Assert.Single(await sender.SendAsync(new OutgoingMessage("t1:1", "hi"), [new Addressee("u1", phone)], CancellationToken.None));

        Assert.Equal("unauthorized", Assert.IsType<SendOutcome.Retry>(outcome).ErrorClass);
        Assert.Empty(await sandbox.InboxAsync(phone));
    }

    [Fact]
    public async Task Reports_NameTheRememberedKey_ForDeliveredAndFailedNumbers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await Registrar(receiver.PublicUrl.ToString()).EnsureAsync(CancellationToken.None);
        var delivered = SmsSandbox.NewNumber();
        var undelivered = SmsSandbox.NewNumber();
        await sandbox.SetNumberAsync(undelivered, "fail_delivery");
        using var sender = Sender(sandbox.LocalServer);

        await sender.SendAsync(new OutgoingMessage("t1:2", "hi"), [new Addressee("u1", delivered), new Addressee("u2", undelivered)],
            CancellationToken.None);

        await Eventually.WaitAsync(() => Task.FromResult(receiver.Of("sms:delivered", delivered).Count == 1 &&
            receiver.Of("sms:failed", undelivered).Count == 1), TimeSpan.FromSeconds(15), "the delivery reports");
        var store = Database.Store();
        foreach (var (report, userId) in new[] { (receiver.Of("sms:delivered", delivered)[0], "u1"), (receiver.Of("sms:failed", undelivered)[0], "u2") })
        {
            var payload = report["payload"]!;
            var key = SmsProviderIds.AndroidGateway((string)payload["messageId"]!, (string)payload["phoneNumber"]!);
            Assert.Equal(("t1:2", userId), await store.FindByProviderIdAsync("sms", key));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Registration_AddsReportsAndInboundOnce(bool cloud)
    {
        var publicUrl = $"https://ada-{Guid.NewGuid():N}.example.edu";
        var registrar = Registrar(publicUrl, cloud ? sandbox.CloudServer : sandbox.LocalServer);

        Assert.Equal(4, await registrar.EnsureAsync(CancellationToken.None));
        Assert.Equal(0, await registrar.EnsureAsync(CancellationToken.None));

        var ours = (await sandbox.WebhooksAsync(cloud)).Where(w => w.Url.StartsWith(publicUrl, StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                ("sms:delivered", publicUrl + "/v1/sms/reports"),
                ("sms:failed", publicUrl + "/v1/sms/reports"),
                ("sms:received", publicUrl + "/v1/sms/inbound"),
                ("sms:sent", publicUrl + "/v1/sms/reports"),
            ],
            ours.Order());
    }

    private SmsSender Sender(string baseUrl, string password = SmsSandbox.Password, TimeSpan? timeout = null)
    {
        var options = new SmsOptions
        {
            BaseUrl = baseUrl, Username = SmsSandbox.Username, Password = password, MessagesPerSecond = 0, PerNumberPerMinute = 0,
        };
        return Database.Sender(Client(options, timeout), options, output);
    }

    private AndroidWebhookRegistrar Registrar(string publicUrl, string? baseUrl = null)
    {
        var options = new SmsOptions
        {
            BaseUrl = baseUrl ?? sandbox.LocalServer, Username = SmsSandbox.Username, Password = SmsSandbox.Password, PublicUrl = publicUrl,
        };
        return new AndroidWebhookRegistrar(Client(options, null), Options.Create(options), TimeProvider.System,
            NullLogger<AndroidWebhookRegistrar>.Instance);
    }

    private AndroidGatewayClient Client(SmsOptions options, TimeSpan? timeout)
    {
        var http = new HttpClient { BaseAddress = new Uri(options.BaseUrl!.TrimEnd('/') + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = AndroidGatewayClient.BasicAuth(options.Username!, options.Password!);
        return new AndroidGatewayClient(http, options, new TestLogger<AndroidGatewayClient>(output));
    }
}
