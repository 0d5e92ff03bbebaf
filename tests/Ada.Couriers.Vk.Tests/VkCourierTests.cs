namespace Ada.Couriers.Vk.Tests;

/// <summary>The courier runtime around VkSender, end to end against the VK API emulator.</summary>
[Collection(RedisCollection.Name)]
public sealed class VkCourierTests(RedisServer redis, ITestOutputHelper output) : DatabaseTest(redis)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly VkSandbox _sandbox = new();

    public override async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Deliver_TenThousandStudents_TakesFourRequestsAndOneMessageEach()
    {
        await VkMessages.AddContactsAsync(Database, 10_000);
        await using var courier = await VkCourierHost.StartAsync(Database, _sandbox, output);

        var history = await VkMessages.EnqueueAsync(Database, VkMessages.Students(10_000), "Лекция 10:00 отменена");

        var done = await VkMessages.WaitDoneAsync(Database, history.Id, Within);
        Assert.Equal((10_000, 0), (done.Channels[Channels.Vk].Sent, done.Channels[Channels.Vk].Failed));
        var stats = await _sandbox.StatsAsync();
        Assert.True(stats.Requests <= 4, $"10,000 students took {stats.Requests} HTTP requests");
        var summary = await _sandbox.SummaryAsync();
        Assert.Equal((10_000, 10_000, 0), (summary.Total, summary.Chats, summary.ChatsWithMoreThanOne));
        var receipt = await VkMessages.ReceiptAsync(Database, history.Id, "s9999");
        var inbox = await _sandbox.ReadInboxAsync(VkMessages.PeerOf(9999).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(inbox.Messages.Single().MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture), receipt.ProviderMessageId);
    }

    [Fact]
    public async Task Deliver_AfterACrashBetweenSendingAndRecording_VkDeduplicatesTheResentBatch()
    {
        await VkMessages.AddContactsAsync(Database, 5_000);
        var history = await VkMessages.EnqueueAsync(Database, VkMessages.Students(5_000), "Экзамен переносится на пятницу");
        var options = _sandbox.Options();
        // A courier sent the first batch and died before it wrote a receipt.
        using (var crashed = new VkSender(_sandbox.Client(options), MsOptions.Create(options), Database.Mux, TestDatabase.Scripts,
            new TestLogger<VkSender>(output)))
        {
            var firstBatch = Enumerable.Range(1, crashed.BatchSize)
                .Select(i => new Addressee($"s{i}", VkMessages.PeerOf(i).ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
            var sent = await crashed.SendAsync(new OutgoingMessage(history.Id, history.Text), firstBatch, CancellationToken.None);
            Assert.All(sent, o => Assert.IsType<SendOutcome.Sent>(o));
        }
        Assert.Equal(0, await Database.Db.HashLengthAsync(Keys.Receipts(history.Id)));

        await using var courier = await VkCourierHost.StartAsync(Database, _sandbox, output);

        var done = await VkMessages.WaitDoneAsync(Database, history.Id, Within);
        Assert.Equal(5_000, done.Channels[Channels.Vk].Sent);
        var stats = await _sandbox.StatsAsync();
        Assert.Equal((2_500, 5_000), (stats.Deduplicated, stats.Sent));
        var summary = await _sandbox.SummaryAsync();
        Assert.Equal((5_000, 5_000, 0, 0), (summary.Total, summary.Chats, summary.ChatsWithMoreThanOne, summary.Duplicates));
    }

    [Fact]
    public async Task Deliver_StudentsWhoHaveNotAllowedMessages_AreRecordedFailedWithTheReason()
    {
        await VkMessages.AddContactsAsync(Database, 300);
        foreach (var student in new[] { 7, 150, 299 })
        {
            await _sandbox.SetPeerAsync(VkMessages.PeerOf(student), "not_allowed");
        }
        await using var courier = await VkCourierHost.StartAsync(Database, _sandbox, output);

        var history = await VkMessages.EnqueueAsync(Database, VkMessages.Students(300), "Собрание в 15:00");

        var done = await VkMessages.WaitDoneAsync(Database, history.Id, Within);
        var section = done.Channels[Channels.Vk];
        Assert.Equal((297, 3), (section.Sent, section.Failed));
        Assert.Equal(3, section.Errors["not_allowed"]);
        var receipt = await VkMessages.ReceiptAsync(Database, history.Id, "s150");
        Assert.Equal(ReceiptStatus.Failed, receipt.Status);
        Assert.Contains("has not allowed messages from the community", receipt.Detail, StringComparison.Ordinal);
        Assert.False(await Database.Db.HashExistsAsync(Keys.Contacts(Channels.Vk), "s150"));
        Assert.Equal(ReceiptStatus.Sent, (await VkMessages.ReceiptAsync(Database, history.Id, "s151")).Status);
    }

    [Fact]
    public async Task Deliver_VkAllowsFewerRequestsThanWeSend_Error6SlowsUsDownAndNothingIsLost()
    {
        await _sandbox.PutAsync("/sandbox/vk/limits", new { requestsPerSecond = 1 });
        await VkMessages.AddContactsAsync(Database, 10_000);
        await using var courier = await VkCourierHost.StartAsync(Database, _sandbox, output);

        var first = await VkMessages.EnqueueAsync(Database, VkMessages.Students(10_000)[..5_000], "Первая группа");
        var second = await VkMessages.EnqueueAsync(Database, VkMessages.Students(10_000)[5_000..], "Вторая группа");

        foreach (var id in new[] { first.Id, second.Id })
        {
            var done = await VkMessages.WaitDoneAsync(Database, id, Within);
            Assert.Equal((5_000, 0), (done.Channels[Channels.Vk].Sent, done.Channels[Channels.Vk].Failed));
        }
        var stats = await _sandbox.StatsAsync();
        output.WriteLine($"{stats}");
        Assert.True(stats.Throttled > 0, "VK at 1 request/s should have answered error 6 to a courier pacing at 20/s");
        var summary = await _sandbox.SummaryAsync();
        Assert.Equal((10_000, 10_000, 0), (summary.Total, summary.Chats, summary.ChatsWithMoreThanOne));
    }
}
