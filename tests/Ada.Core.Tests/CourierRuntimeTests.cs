using System.Diagnostics;

namespace Ada.Core.Tests;

/// <summary>The courier runtime end to end against the real Redis, with a fake provider at the edge.</summary>
[Collection(RedisCollection.Name)]
public sealed class CourierRuntimeTests(RedisServer redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Courier_MessageDueInOneSecond_DeliversOnceToEveryoneWithAContact()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(1_200);
        var withoutContact = users.Where((_, i) => i % 10 == 9).ToHashSet();
        await Sample.ImportStudentsAsync(database, users, withoutContact);
        var sender = new FakeSender(batchSize: 100);
        await using var courier = await CourierHost.StartAsync(database, sender, output);
        var deliverAt = DateTimeOffset.UtcNow.AddSeconds(1);

        var message = await Sample.EnqueueAsync(database, deliverAt, users, Sample.TelegramOnly);

        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        Assert.Equal(MessageStates.Done, history.State);
        Assert.NotNull(history.FinishedAt);
        var section = history.Channels[Channels.Telegram];
        Assert.Equal((1_080, 0, 120), (section.Sent, section.Failed, section.NoContact));
        Assert.Empty(section.Errors);
        var sends = sender.Sends.Where(s => s.MessageId == message.Id).ToList();
        Assert.Equal(users.Except(withoutContact).Order(), sends.Select(s => s.UserId).Order());
        Assert.All(sends, s => Assert.Equal(Sample.ChatOf(s.UserId), s.Address));
        // The order is announced when it falls due, not before (the claim tolerates one second of clock skew only).
        Assert.True(sends.Min(s => s.At) >= deliverAt.AddMilliseconds(-100),
            $"first send at {sends.Min(s => s.At):O}, due at {deliverAt:O}");
        var receipts = await database.Messages.GetReceiptsAsync(message.Id);
        Assert.Equal(1_200, receipts.Count);
        Assert.All(receipts.Where(r => withoutContact.Contains(r.UserId)), r => Assert.Equal(ReceiptStatus.NoContact, r.Status));
        Assert.All(receipts.Where(r => !withoutContact.Contains(r.UserId)), r =>
        {
            Assert.Equal(ReceiptStatus.Sent, r.Status);
            Assert.Equal($"p-{r.UserId}-0", r.ProviderMessageId);
            Assert.Equal(1, r.Attempts);
        });
        Assert.Equal(0, await database.DueIndexSizeAsync());
    }

    [Fact]
    public async Task Courier_ThrottledRecipients_AreRetriedLaterAndEndSent()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(50);
        var throttled = users.Take(10).ToHashSet();
        await Sample.ImportStudentsAsync(database, users);
        var sender = new FakeSender(batchSize: 20)
        {
            Decide = to => to.Attempts == 0 && throttled.Contains(to.UserId)
                ? new SendOutcome.Retry(to, "throttled", "429: retry after 1", TimeSpan.FromMilliseconds(300), Throttled: true)
                : null,
        };
        await using var courier = await CourierHost.StartAsync(database, sender, output);

        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);

        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        Assert.Equal((50, 0), (history.Channels[Channels.Telegram].Sent, history.Channels[Channels.Telegram].Failed));
        var receipts = (await database.Messages.GetReceiptsAsync(message.Id)).ToDictionary(r => r.UserId);
        Assert.All(users, u => Assert.Equal(ReceiptStatus.Sent, receipts[u].Status));
        Assert.All(throttled, u => Assert.Equal((2, $"p-{u}-1"), (receipts[u].Attempts!.Value, receipts[u].ProviderMessageId)));
        var perUser = sender.Sends.GroupBy(s => s.UserId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(users, u => Assert.Equal(throttled.Contains(u) ? 2 : 1, perUser[u].Count));
        Assert.All(throttled, u => Assert.True(perUser[u][1].At - perUser[u][0].At >= TimeSpan.FromMilliseconds(250),
            $"{u} was retried after {(perUser[u][1].At - perUser[u][0].At).TotalMilliseconds} ms"));
    }

    [Fact]
    public async Task Courier_RetryWithoutATime_WaitsTheRuntimesBackoff()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(10);
        await Sample.ImportStudentsAsync(database, users);
        var sender = new FakeSender(batchSize: 10)
        {
            Decide = to => to.Attempts == 0 ? new SendOutcome.Retry(to, "network", "connection reset") : null,
        };
        var options = CourierHost.FastOptions();
        options.BackoffFirstMilliseconds = 600;
        await using var courier = await CourierHost.StartAsync(database, sender, output, options);

        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);

        await Sample.WaitForTelegramDoneAsync(database, message.Id);
        var firstTries = sender.Sends.Where(s => s.Attempt == 0).ToList();
        var retries = sender.Sends.Where(s => s.Attempt == 1).ToList();
        Assert.Equal((10, 10), (firstTries.Count, retries.Count));
        var waited = retries.Min(s => s.At) - firstTries.Max(s => s.At);
        Assert.True(waited >= TimeSpan.FromMilliseconds(250), $"retried after {waited.TotalMilliseconds} ms; the backoff is 300-600 ms");
    }

    [Fact]
    public async Task Courier_ProviderAlwaysFailingTransiently_RecordsFailedAfterMaxAttempts()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(30);
        await Sample.ImportStudentsAsync(database, users);
        var sender = new FakeSender(batchSize: 10)
        {
            Decide = to => new SendOutcome.Retry(to, "network", "connection reset", TimeSpan.FromMilliseconds(50)),
        };
        await using var courier = await CourierHost.StartAsync(database, sender, output);

        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);

        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        var section = history.Channels[Channels.Telegram];
        Assert.Equal((0, 30), (section.Sent, section.Failed));
        Assert.Equal(new Dictionary<string, int> { ["network"] = 30 }, section.Errors);
        Assert.Equal(MessageStates.Done, history.State);
        Assert.All(await database.Messages.GetReceiptsAsync(message.Id), r =>
        {
            Assert.Equal(ReceiptStatus.Failed, r.Status);
            Assert.Equal(3, r.Attempts);
            Assert.Contains("connection reset", r.Detail, StringComparison.Ordinal);
            Assert.Contains("3 attempts", r.Detail, StringComparison.Ordinal);
        });
        Assert.All(sender.Sends.GroupBy(s => s.UserId), g => Assert.Equal(3, g.Count()));
    }

    [Fact]
    public async Task Courier_TwoInstances_SendEachRecipientOnceAndShareTheWork()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(150);
        await Sample.ImportStudentsAsync(database, users);
        var first = new FakeSender(batchSize: 25) { PerAddressee = TimeSpan.FromMilliseconds(2) };
        var second = new FakeSender(batchSize: 25) { PerAddressee = TimeSpan.FromMilliseconds(2) };
        // Two messages at a time per instance: eight messages cannot all fit in one, so the work must be shared.
        var options = CourierHost.FastOptions();
        options.MaxConcurrentMessages = 2;
        await using var a = await CourierHost.StartAsync(database, first, output, options);
        await using var b = await CourierHost.StartAsync(database, second, output, options);

        var messages = new List<HistoryDocument>();
        for (var i = 0; i < 8; i++)
        {
            messages.Add(await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly));
        }

        foreach (var message in messages)
        {
            var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
            Assert.Equal(150, history.Channels[Channels.Telegram].Sent);
        }
        var all = first.Sends.Concat(second.Sends).ToList();
        Assert.Equal(8 * 150, all.Count);
        Assert.Equal(8 * 150, all.Select(s => (s.MessageId, s.UserId)).Distinct().Count());
        Assert.NotEmpty(first.Sends);
        Assert.NotEmpty(second.Sends);
        Assert.Equal(0, await database.DueIndexSizeAsync());
    }

    [Fact]
    public async Task Courier_ClaimOfCrashedInstance_IsResumedAfterLeaseSkippingRecipientsWithReceipts()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(300);
        await Sample.ImportStudentsAsync(database, users);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);
        var store = new CourierStore(database.Mux, TestDatabase.Scripts);
        var crashedAt = DateTimeOffset.UtcNow;
        var lease = TimeSpan.FromMilliseconds(1500);
        Assert.Equal(ClaimStatus.Ok, (await store.ClaimAsync(message.Id, Channels.Telegram, "crashed", lease, crashedAt)).Status);
        var before = users.Take(100).ToList();
        await store.ReportAsync(message.Id, Channels.Telegram, "crashed",
            [.. before.Select(u => new ReceiptWrite(new Receipt(u, Channels.Telegram, ReceiptStatus.Sent, ProviderMessageId: $"old-{u}", Attempts: 1)))],
            final: false, DateTimeOffset.UtcNow);
        var sender = new FakeSender(batchSize: 50);

        await using var courier = await CourierHost.StartAsync(database, sender, output);

        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        Assert.Equal(MessageStates.Done, history.State);
        Assert.Equal(300, history.Channels[Channels.Telegram].Sent);
        Assert.Equal(AdaJson.Timestamp(crashedAt), history.Channels[Channels.Telegram].StartedAt);
        Assert.Equal(users.Skip(100).Order(), sender.Sends.Select(s => s.UserId).Order());
        Assert.True(sender.Sends.Min(s => s.At) >= crashedAt + lease - TimeSpan.FromMilliseconds(100),
            "the message was taken while the crashed instance still held its lease");
        var receipts = (await database.Messages.GetReceiptsAsync(message.Id)).ToDictionary(r => r.UserId);
        Assert.All(before, u => Assert.Equal($"old-{u}", receipts[u].ProviderMessageId));
        Assert.Equal(300, receipts.Count);
    }

    [Fact]
    public async Task Courier_StoppedMidSend_ReleasesClaimAndAnotherInstanceFinishesWithoutResending()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(300);
        await Sample.ImportStudentsAsync(database, users);
        var stopping = new FakeSender(batchSize: 10) { PerAddressee = TimeSpan.FromMilliseconds(10) };
        var first = await CourierHost.StartAsync(database, stopping, output);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);
        await Eventually.WaitAsync(() => Task.FromResult(stopping.Sends.Count >= 30), Sample.Deadline, "the first sends");

        await first.DisposeAsync();

        Assert.False(await database.Db.KeyExistsAsync(Keys.Claim(message.Id, Channels.Telegram)));
        var partial = (await database.Messages.GetHistoryAsync(message.Id))!.Channels[Channels.Telegram];
        Assert.Equal((ChannelStates.Sending, stopping.Sends.Count), (partial.State, partial.Sent));
        var resuming = new FakeSender(batchSize: 50);
        await using var second = await CourierHost.StartAsync(database, resuming, output);
        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        Assert.Equal(300, history.Channels[Channels.Telegram].Sent);
        Assert.Equal(users.Order(), stopping.Sends.Concat(resuming.Sends).Select(s => s.UserId).Order());
    }

    [Fact]
    public async Task Courier_SweepBehindThousandOlderDueIds_StillFindsAMessageWhoseEventWasMissed()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        await Sample.ImportStudentsAsync(database, ["u1"]);
        // Queued while no courier listened: its `del` event is gone, only the sweep can find it.
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"], Sample.TelegramOnly);
        // Older due ids this channel cannot act on (in production: finished here, another channel still pending).
        var batch = database.Db.CreateBatch();
        var adds = Enumerable.Range(0, 1_500)
            .Select(i => batch.SortedSetAddAsync(Keys.DueFor(message.Id), $"t0:{i}", 1_000 + i))
            .ToList();
        batch.Execute();
        await Task.WhenAll(adds);
        var sender = new FakeSender();

        await using var courier = await CourierHost.StartAsync(database, sender, output);

        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        Assert.Equal(1, history.Channels[Channels.Telegram].Sent);
    }

    [Fact]
    public async Task Courier_CancelWhileSending_StopsPromptlyAndReportsWhatWasSent()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(400);
        await Sample.ImportStudentsAsync(database, users);
        var sender = new FakeSender(batchSize: 10) { PerAddressee = TimeSpan.FromMilliseconds(20) };
        await using var courier = await CourierHost.StartAsync(database, sender, output);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);
        await Eventually.WaitAsync(() => Task.FromResult(sender.Sends.Count >= 20), Sample.Deadline, "the first sends");

        var clock = Stopwatch.StartNew();
        var cancel = await database.Messages.CancelAsync(message.Id, DateTimeOffset.UtcNow);
        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        var stoppedAfter = clock.Elapsed;

        Assert.True(cancel.Changed);
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(3), $"the courier stopped {stoppedAfter} after the cancel");
        Assert.Equal(MessageStates.Cancelled, history.State);
        var section = history.Channels[Channels.Telegram];
        Assert.Equal(ChannelStates.Done, section.State);
        Assert.InRange(section.Sent, 20, 399);
        // Everything the provider accepted is on record, and nothing was sent after the final report.
        Assert.Equal(sender.Sends.Count, section.Sent);
        Assert.Equal(section.Sent, (await database.Messages.GetReceiptsAsync(message.Id)).Count);
    }

    [Fact]
    public async Task Courier_FailedWithDeactivate_RemovesContactAndMarksItInactive()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(20);
        var blocked = users.Take(5).ToHashSet();
        await Sample.ImportStudentsAsync(database, users);
        var sender = new FakeSender(batchSize: 20)
        {
            Decide = to => blocked.Contains(to.UserId)
                ? new SendOutcome.Failed(to, "blocked", "Forbidden: bot was blocked by the user", Deactivate: true)
                : null,
        };
        await using var courier = await CourierHost.StartAsync(database, sender, output);

        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);

        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        var section = history.Channels[Channels.Telegram];
        Assert.Equal((15, 5), (section.Sent, section.Failed));
        Assert.Equal(5, section.Errors["blocked"]);
        var contacts = (await database.Db.HashKeysAsync(Keys.Contacts(Channels.Telegram))).Select(k => k.ToString());
        Assert.Equal(users.Except(blocked).Order(), contacts.Order());
        var directory = new DirectoryStore(database.Mux, TestDatabase.Scripts);
        foreach (var user in blocked)
        {
            Assert.Equal([Channels.Telegram], (await directory.GetUserAsync(user))!.Inactive);
        }
        var receipts = (await database.Messages.GetReceiptsAsync(message.Id)).ToDictionary(r => r.UserId);
        Assert.All(blocked, u => Assert.Equal(
            (ReceiptStatus.Failed, "Forbidden: bot was blocked by the user"), (receipts[u].Status, receipts[u].Detail)));
    }
}
