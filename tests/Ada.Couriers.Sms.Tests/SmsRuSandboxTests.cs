namespace Ada.Couriers.Sms.Tests;

/// <summary>The SMS.ru client, the sender and the status poller against the SMS.ru emulator.</summary>
[Collection(RedisCollection.Name)]
public sealed class SmsRuSandboxTests(RedisServer redis, SmsSandbox sandbox, ITestOutputHelper output)
    : DatabaseTest(redis), IClassFixture<SmsSandbox>
{
    [Fact]
    public async Task Send_OneRequest_FailedNumberRefusedOthersSentAndQueuedForStatus()
    {
        var ok = SmsSandbox.NewNumber();
        var refused = SmsSandbox.NewNumber();
        await sandbox.SetNumberAsync(refused, "fail_send");
        using var sender = Sender();

        var outcomes = await sender.SendAsync(new OutgoingMessage("t1:1", "Пара перенесена"),
            [new Addressee("u1", ok), new Addressee("u2", refused)], CancellationToken.None);

        var sent = Assert.IsType<SendOutcome.Sent>(outcomes[0]);
        var received = Assert.Single(await sandbox.InboxAsync(ok));
        Assert.Equal(("Пара перенесена", sent.ProviderMessageId), (received.Text, received.ProviderMessageId));
        var failed = Assert.IsType<SendOutcome.Failed>(outcomes[1]);
        Assert.Equal("no_route", failed.ErrorClass);
        Assert.StartsWith("207: ", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(await sandbox.InboxAsync(refused));
        Assert.Equal(("t1:1", "u1"), await Database.Store().FindByProviderIdAsync("sms", sent.ProviderMessageId!));
        Assert.Equal(sent.ProviderMessageId, Assert.Single(await new SmsRuPending(Database.Mux).DueAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10)).SmsId);
    }

    [Fact]
    public async Task Send_WrongApiId_RetriedAsAConfigurationFault()
    {
        var phone = SmsSandbox.NewNumber();
        using var sender = Sender(apiId: "wrong");

        var outcome = Assert.Single(await sender.SendAsync(new OutgoingMessage("t1:1", "hi"), [new Addressee("u1", phone)], CancellationToken.None));

        Assert.Equal("unauthorized", Assert.IsType<SendOutcome.Retry>(outcome).ErrorClass);
        Assert.Empty(await sandbox.InboxAsync(phone));
    }

    [Fact]
    public async Task Poll_AfterDelivery_MovesReceiptsToDeliveredAndFailed()
    {
        var delivered = SmsSandbox.NewNumber();
        var expired = SmsSandbox.NewNumber();
        await sandbox.SetNumberAsync(expired, "fail_delivery");
        using var sender = Sender();
        var outcomes = await sender.SendAsync(new OutgoingMessage("t1:1", "hi"),
            [new Addressee("u1", delivered), new Addressee("u2", expired)], CancellationToken.None);
        var ids = outcomes.Cast<SendOutcome.Sent>().Select(s => s.ProviderMessageId!).ToList();
        // The receipts as the runtime writes them after the batch.
        var id = await Database.SentMessageAsync(("u1", ids[0]), ("u2", ids[1]));
        await Database.Store().RememberProviderIdAsync("sms", ids[0], id, "u1");
        await Database.Store().RememberProviderIdAsync("sms", ids[1], id, "u2");
        var poller = Poller();

        await Eventually.WaitAsync(async () =>
        {
            await poller.PollOnceAsync(CancellationToken.None);
            return (await Database.ReceiptAsync(id, "u1")).Status != "sent" && (await Database.ReceiptAsync(id, "u2")).Status != "sent";
        }, TimeSpan.FromSeconds(30), "both receipts to leave 'sent'");

        Assert.Equal("delivered", (await Database.ReceiptAsync(id, "u1")).Status);
        var failed = await Database.ReceiptAsync(id, "u2");
        Assert.Equal("failed", failed.Status);
        Assert.StartsWith("104: ", failed.Detail, StringComparison.Ordinal);
        var section = await Database.SmsSectionAsync(id);
        Assert.Equal((1, 1, 1), ((int)section["delivered"]!, (int)section["failed"]!, (int)section["errors"]!["expired"]!));
        Assert.Equal(0, await new SmsRuPending(Database.Mux).CountAsync());
    }

    private SmsRuClient Client(string apiId)
    {
        var options = new SmsOptions { Provider = SmsOptions.SmsRu, BaseUrl = sandbox.LocalServer, ApiId = apiId };
        var http = new HttpClient { BaseAddress = new Uri(sandbox.LocalServer + "/"), Timeout = TimeSpan.FromSeconds(10) };
        return new SmsRuClient(http, options, NullLogger<SmsRuClient>.Instance);
    }

    private SmsSender Sender(string apiId = SmsSandbox.ApiId)
    {
        var options = new SmsOptions
        {
            Provider = SmsOptions.SmsRu, BaseUrl = sandbox.LocalServer, ApiId = apiId, MessagesPerSecond = 0, PerNumberPerMinute = 0,
        };
        return Database.Sender(Client(apiId), options, output);
    }

    private SmsRuStatusPoller Poller()
    {
        var options = new SmsOptions { Provider = SmsOptions.SmsRu, BaseUrl = sandbox.LocalServer, ApiId = SmsSandbox.ApiId, StatusPollSeconds = 1 };
        return Database.Poller(Client(SmsSandbox.ApiId), options, output);
    }
}
