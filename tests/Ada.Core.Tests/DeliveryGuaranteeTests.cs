namespace Ada.Core.Tests;

/// <summary>Issue 11 in the courier runtime: expiry, sends recorded as they happen, the channel registry, the urgent lane.</summary>
[Collection(RedisCollection.Name)]
public sealed class DeliveryGuaranteeTests(RedisServer redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Courier_MessageExpiresMidway_NobodyMoreIsSent_TheRestGetExpiredReceipts_MessageEnds()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(200);
        await Sample.ImportStudentsAsync(database, users);
        const int batch = 10;
        var sender = new FakeSender(batchSize: batch) { PerAddressee = TimeSpan.FromMilliseconds(10) };
        await using var courier = await CourierHost.StartAsync(database, sender, output);
        var now = DateTimeOffset.UtcNow;
        var expiresAt = now.AddMilliseconds(700);
        var history = Sample.History("t1", now, users.Count, Sample.TelegramOnly) with
        {
            ExpiresAt = AdaJson.Timestamp(expiresAt), ExpiresAtMs = expiresAt.ToUnixTimeMilliseconds(),
        };
        Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(Sample.Command(history, users)));

        var done = await Sample.WaitForTelegramDoneAsync(database, history.Id);

        var section = done.Channels[Channels.Telegram];
        Assert.Equal(MessageStates.Done, done.State);
        Assert.True(section.Sent > 0 && section.Expired > 0, $"sent {section.Sent}, expired {section.Expired}");
        Assert.Equal(users.Count, section.Sent + section.Expired);
        var receipts = await database.Messages.GetReceiptsAsync(history.Id);
        Assert.Equal(users.Count, receipts.Count);
        var expired = receipts.Where(r => r.Status == ReceiptStatus.Expired).ToList();
        Assert.Equal(section.Expired, expired.Count);
        Assert.All(expired, r => Assert.Contains("expired", r.Detail, StringComparison.Ordinal));
        Assert.Equal(section.Sent, sender.Sends.Count);
        // Only the batch in flight when the time came may still go out after it.
        Assert.InRange(sender.Sends.Count(s => s.At > expiresAt), 0, batch);
        Assert.Equal(0, await database.DueIndexSizeAsync());
    }

    [Fact]
    public async Task Courier_MessageAlreadyExpiredWhenItsCourierComes_SendsNothing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(30);
        await Sample.ImportStudentsAsync(database, users);
        var expiresAt = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddSeconds(-10), users.Count, Sample.TelegramOnly) with
        {
            ExpiresAt = AdaJson.Timestamp(expiresAt), ExpiresAtMs = expiresAt.ToUnixTimeMilliseconds(),
        };
        Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(Sample.Command(history, users)));
        var sender = new FakeSender();

        await using var courier = await CourierHost.StartAsync(database, sender, output);

        var done = await Sample.WaitForTelegramDoneAsync(database, history.Id);
        Assert.Equal((0, 30), (done.Channels[Channels.Telegram].Sent, done.Channels[Channels.Telegram].Expired));
        Assert.Empty(sender.Sends);
    }

    [Fact]
    public async Task Courier_SendsOfABatch_AreRecordedAsTheyHappen_NotWhenTheBatchEnds()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var users = Sample.Users(40);
        await Sample.ImportStudentsAsync(database, users);
        var sender = new HalfThenHoldSender(batchSize: 40);
        await using var courier = await CourierHost.StartAsync(database, sender, output);

        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, users, Sample.TelegramOnly);

        // The batch is held after its first 20 sends: they are on record while the batch is still in progress.
        await sender.Holding.Task.WaitAsync(Sample.Deadline);
        var recorded = await Eventually.WaitAsync(() => database.Db.HashLengthAsync(Keys.Receipts(message.Id)), n => n >= 20,
            Sample.Deadline, "the first 20 sends to be recorded while the batch is held");
        Assert.Equal(20, recorded);
        sender.Release.SetResult();
        var history = await Sample.WaitForTelegramDoneAsync(database, message.Id);
        Assert.Equal(40, history.Channels[Channels.Telegram].Sent);
        Assert.Equal(40, (await database.Messages.GetReceiptsAsync(message.Id)).Count(r => r.Status == ReceiptStatus.Sent));
    }

    [Fact]
    public async Task Registry_ChannelStaysRegisteredWhenItsCourierStops_UntilRetired()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var registry = new CourierRegistry(database.Mux, TimeProvider.System);
        await using (var courier = await CourierHost.StartAsync(database, new FakeSender(Channels.Sms), output))
        {
            var live = (await registry.ChannelsAsync(fresh: true)).Single();
            Assert.Equal((Channels.Sms, 1, true), (live.Name, live.Instances, live.Live));
            Assert.NotNull(live.LastSeen);
            Assert.Equal((RetireOutcome.Live, 1), await registry.RetireAsync(Channels.Sms));
        }
        // The courier is gone; make its last beat older than the liveness window.
        await database.Db.SortedSetAddAsync(Keys.Couriers(Channels.Sms),
            (await database.Db.SortedSetRangeByRankAsync(Keys.Couriers(Channels.Sms))).Single(),
            DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());

        Assert.False((await registry.ChannelsAsync(fresh: true)).Single().Live);
        var expected = await registry.ExpectedAsync(null);
        Assert.Equal([Channels.Sms], expected.Channels);
        Assert.Equal([Channels.Sms], expected.Waiting);

        Assert.Equal((RetireOutcome.Retired, 0), await registry.RetireAsync(Channels.Sms));
        Assert.Empty((await registry.ExpectedAsync(null)).Channels);
        Assert.Equal((RetireOutcome.NotRegistered, 0), await registry.RetireAsync(Channels.Sms));
    }

    [Fact]
    public async Task Registry_LimitsArePublishedWithTheHeartbeat()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var sender = new LimitedSender(new ChannelLimits(MaxSmsSegments: 4));
        await using var courier = await CourierHost.StartAsync(database, sender, output);
        await database.Db.KeyDeleteAsync(Keys.ChannelLimits(Channels.Sms));

        // Lost limits (a flushed key) come back with the next beat.
        var registry = new CourierRegistry(database.Mux, TimeProvider.System);
        var limits = await Eventually.WaitAsync(async () => (await registry.ChannelsAsync(fresh: true)).Single().Limits,
            l => l is not null, Sample.Deadline, "the limits to be published again");
        Assert.Equal(4, limits!.MaxSmsSegments);
    }

    [Fact]
    public async Task RateLimiter_UrgentWaitersGoFirst_OthersInTurn()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        using var pace = new RedisRateLimiter(database.Mux, TestDatabase.Scripts, "pace-test", 20);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        async Task Take(string who, int count, bool urgent)
        {
            for (var i = 0; i < count; i++)
            {
                await pace.WaitAsync(CancellationToken.None, urgent);
                order.Enqueue(who);
            }
        }
        // Drain the bucket so everyone below queues.
        for (var i = 0; i < 2; i++)
        {
            await pace.WaitAsync(CancellationToken.None);
        }
        var big = Take("big", 20, urgent: false);
        var small = Take("small", 5, urgent: false);
        // The urgent message comes once both others are taking turns.
        await Eventually.WaitAsync(() => Task.FromResult(order.Contains("big") && order.Contains("small")), Sample.Deadline,
            "a paced turn of each of the others");
        var urgent = Take("urgent", 5, urgent: true);
        await Task.WhenAll(big, small, urgent);

        var sequence = order.ToList();
        output.WriteLine(string.Join(" ", sequence));
        // The small message shares the pace with the big one: it is done long before the big one is.
        Assert.True(sequence.LastIndexOf("small") < sequence.LastIndexOf("big") - 10, string.Join(" ", sequence));
        // Urgent takes the turns from its first one on (another may slip in while it re-queues between its turns).
        var first = sequence.IndexOf("urgent");
        var last = sequence.LastIndexOf("urgent");
        Assert.InRange(last - first + 1 - 5, 0, 2);
    }

    /// <summary>Sends the first half of a batch, reports it, and holds until released.</summary>
    private sealed class HalfThenHoldSender(int batchSize) : IChannelSender
    {
        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Channel => Channels.Telegram;
        public int BatchSize => batchSize;

        public Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees, CancellationToken stop) =>
            SendAsync(message, addressees, _ => { }, stop);

        public async Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
            Action<SendOutcome> done, CancellationToken stop)
        {
            var outcomes = new List<SendOutcome>();
            foreach (var to in addressees)
            {
                if (outcomes.Count == addressees.Count / 2)
                {
                    Holding.TrySetResult();
                    await Release.Task;
                }
                var outcome = new SendOutcome.Sent(to, $"p-{to.UserId}");
                outcomes.Add(outcome);
                done(outcome);
            }
            return outcomes;
        }
    }

    private sealed class LimitedSender(ChannelLimits limits) : IChannelSender
    {
        public string Channel => Channels.Sms;
        public int BatchSize => 10;
        public ChannelLimits Limits => limits;

        public Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees, CancellationToken stop) =>
            Task.FromResult<IReadOnlyList<SendOutcome>>([.. addressees.Select(a => new SendOutcome.Sent(a, null))]);
    }
}
