namespace Ada.Couriers.Sms.Tests;

/// <summary>
/// The courier process, on the real runtime, against the gateway emulators: a message queued as the API queues it
/// ends with receipts, provider ids and delivery reports.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SmsCourierEndToEndTests(RedisServer redis, SmsSandbox sandbox) : DatabaseTest(redis), IClassFixture<SmsSandbox>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AndroidGateway_QueuedMessage_SentRememberedAndReportedBack()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var courier = await StartCourierAsync(
            ("Sms__Provider", "android-gateway"), ("Sms__BaseUrl", sandbox.LocalServer),
            ("Sms__Username", SmsSandbox.Username), ("Sms__Password", SmsSandbox.Password),
            ("Sms__PublicUrl", receiver.PublicUrl.ToString()));
        await Eventually.WaitAsync(async () => (await sandbox.WebhooksAsync()).Count(w => w.Url.StartsWith(receiver.PublicUrl.ToString(), StringComparison.Ordinal)) == 4,
            Within, "the courier to register its four webhooks");
        var (a, b) = (SmsSandbox.NewNumber(), SmsSandbox.NewNumber());

        var id = await Queue.SmsAsync(Database, "Экзамен перенесён на 12:00", ("u1", a), ("u2", b), ("u3", "not a phone"));

        var receipts = await WaitForReceiptsAsync(id, 3);
        var bad = receipts.Single(r => r.UserId == "u3");
        Assert.Equal(ReceiptStatus.Failed, bad.Status);
        Assert.Contains("not a phone number", bad.Detail, StringComparison.Ordinal);
        var store = Database.Store();
        foreach (var (userId, phone) in new[] { ("u1", a), ("u2", b) })
        {
            var receipt = receipts.Single(r => r.UserId == userId);
            Assert.Equal(ReceiptStatus.Sent, receipt.Status);
            Assert.Equal("Экзамен перенесён на 12:00", Assert.Single(await sandbox.InboxAsync(phone)).Text);
            await Eventually.WaitAsync(() => Task.FromResult(receiver.Of("sms:delivered", phone).Count > 0), Within, $"the delivery report of {userId}");
            var payload = receiver.Of("sms:delivered", phone)[0]["payload"]!;
            var key = SmsProviderIds.AndroidGateway((string)payload["messageId"]!, (string)payload["phoneNumber"]!);
            Assert.Equal(receipt.ProviderMessageId, key);
            Assert.Equal((id, userId), await store.FindByProviderIdAsync("sms", key));
        }
        var section = await Database.SmsSectionAsync(id);
        Assert.Equal(("done", 2, 1), ((string)section["state"]!, (int)section["sent"]!, (int)section["failed"]!));
    }

    [Fact]
    public async Task AndroidGateway_AnswerLostAfterTheGatewayAccepted_RetriedWithTheSameIdAndTextedOnce()
    {
        await using var courier = await StartCourierAsync(
            ("Sms__Provider", "android-gateway"), ("Sms__BaseUrl", sandbox.LocalServer),
            ("Sms__Username", SmsSandbox.Username), ("Sms__Password", SmsSandbox.Password),
            ("Sms__RequestTimeoutSeconds", "4"));
        var (a, b) = (SmsSandbox.NewNumber(), SmsSandbox.NewNumber());
        await sandbox.SetGatewayFaultAsync("accept_then_timeout");
        string id;
        IReadOnlyList<Receipt> receipts;
        try
        {
            id = await Queue.SmsAsync(Database, "Семинар отменён", ("u1", a), ("u2", b));
            receipts = await WaitForReceiptsAsync(id, 2);
        }
        finally
        {
            await sandbox.SetGatewayFaultAsync("none", count: null);
        }

        var gatewayIds = new List<string>();
        foreach (var (userId, phone) in new[] { ("u1", a), ("u2", b) })
        {
            var receipt = receipts.Single(r => r.UserId == userId);
            var (text, gatewayId) = Assert.Single(await sandbox.InboxAsync(phone));
            Assert.Equal("Семинар отменён", text);
            Assert.Equal((ReceiptStatus.Sent, 2), (receipt.Status, receipt.Attempts));
            Assert.Equal(SmsProviderIds.AndroidGateway(gatewayId!, phone), receipt.ProviderMessageId);
            gatewayIds.Add(gatewayId!);
        }
        // One gateway message for both (one request, retried as one), and it is ours: what the reports will name.
        Assert.Equal(AndroidGatewayClient.MessageId(SmsSender.RequestKey(id, ["u1", "u2"]), "Семинар отменён", [a, b]), gatewayIds.Distinct().Single());
        Assert.Contains("already has message", courier.Output, StringComparison.Ordinal);
        var section = await Database.SmsSectionAsync(id);
        Assert.Equal(("done", 2), ((string)section["state"]!, (int)section["sent"]!));
    }

    [Fact]
    public async Task SmsRu_QueuedMessage_SentThenDeliveredOrFailedByStatusLookUps()
    {
        await using var courier = await StartCourierAsync(
            ("Sms__Provider", "smsru"), ("Sms__BaseUrl", sandbox.LocalServer), ("Sms__ApiId", SmsSandbox.ApiId),
            ("Sms__StatusPollSeconds", "1"));
        var (delivered, expired, refused) = (SmsSandbox.NewNumber(), SmsSandbox.NewNumber(), SmsSandbox.NewNumber());
        await sandbox.SetNumberAsync(expired, "fail_delivery");
        await sandbox.SetNumberAsync(refused, "fail_send");

        var id = await Queue.SmsAsync(Database, "Консультация в 14:00", ("u1", delivered), ("u2", expired), ("u3", refused));

        await Eventually.WaitAsync(async () =>
        {
            var receipts = await Queue.ReceiptsAsync(Database, id);
            return receipts.Count == 3 && receipts.All(r => r.Status != ReceiptStatus.Sent);
        }, Within, "every receipt to leave 'sent'");
        var final = (await Queue.ReceiptsAsync(Database, id)).ToDictionary(r => r.UserId);
        Assert.Equal("delivered", final["u1"].Status);
        Assert.Equal((ReceiptStatus.Failed, true), (final["u2"].Status, final["u2"].Detail!.StartsWith("104: ", StringComparison.Ordinal)));
        Assert.Equal((ReceiptStatus.Failed, true), (final["u3"].Status, final["u3"].Detail!.StartsWith("207: ", StringComparison.Ordinal)));
        Assert.NotNull(final["u1"].ProviderMessageId);
        var section = await Database.SmsSectionAsync(id);
        Assert.Equal((1, 1, 2), ((int)section["sent"]!, (int)section["delivered"]!, (int)section["failed"]!));
        Assert.Equal((1, 1), ((int)section["errors"]!["expired"]!, (int)section["errors"]!["no_route"]!));
    }

    private async Task<IReadOnlyList<Receipt>> WaitForReceiptsAsync(string id, int count) =>
        await Eventually.WaitAsync(() => Queue.ReceiptsAsync(Database, id), r => r.Count == count, Within, $"{count} receipts of {id}");

    private Task<ServiceProcess> StartCourierAsync(params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Database.ConnectionString,
            ["Courier__SweepSeconds"] = "1",
            ["Sms__MessagesPerSecond"] = "0",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        return ServiceProcess.StartAsync("Ada.Couriers.Sms", environment);
    }
}
