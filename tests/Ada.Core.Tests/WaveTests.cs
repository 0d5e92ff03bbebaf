namespace Ada.Core.Tests;

/// <summary>
/// A message in waves (recipients in several time zones, issue 13) through the real courier runtime and scripts:
/// each wave goes out at its own time as part of one message, and a cancel between waves stops the rest.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class WaveTests(RedisServer redis, ITestOutputHelper output)
{
    /// <summary>u1, u2 now (Moscow); u3, u4 a few seconds later (their night ends then).</summary>
    private static HistoryDocument TwoWaves(DateTimeOffset first, DateTimeOffset second, IReadOnlyList<string> channels)
    {
        var history = Sample.History("t1", first, 4, channels);
        return history with
        {
            Channels = channels.ToDictionary(c => c, _ => ChannelSection.New() with { Wave = 0 }),
            Waves =
            [
                new Wave(AdaJson.Timestamp(first), first.ToUnixTimeMilliseconds(), 2, MessageStates.Scheduled, [new WaveZone("Europe/Moscow", 2)]),
                new Wave(AdaJson.Timestamp(second), second.ToUnixTimeMilliseconds(), 2, MessageStates.Scheduled,
                    [new WaveZone("Asia/Vladivostok", 2)], new Rescheduled(AdaJson.Timestamp(first), "quiet-hours")),
            ],
        };
    }

    [Fact]
    public async Task TwoWaves_EachGoesAtItsTime_AsOneMessage_AndTheMessageEndsAfterTheLast()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        string[] users = ["u1", "u2", "u3", "u4"];
        await Sample.ImportStudentsAsync(database, users);
        var telegram = new FakeSender(Channels.Telegram);
        var vk = new FakeSender(Channels.Vk);
        await using var telegramCourier = await CourierHost.StartAsync(database, telegram, output);
        await using var vkCourier = await CourierHost.StartAsync(database, vk, output);
        var now = DateTimeOffset.UtcNow;
        var second = now.AddSeconds(3);
        var history = TwoWaves(now, second, Sample.TelegramAndVk);
        Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(Sample.Command(history, users)));

        var between = await Eventually.WaitAsync(async () => (await database.Messages.GetHistoryAsync(history.Id))!,
            h => h.Waves![0].State == MessageStates.Done, Sample.Deadline, "the first wave to be done");
        Assert.Equal(MessageStates.Delivering, between.State);
        Assert.Equal(MessageStates.Scheduled, between.Waves![1].State);
        Assert.All(between.Channels.Values, s => Assert.Equal((ChannelStates.Pending, 1), (s.State, s.WaveIndex)));
        // The order now stands for the second wave.
        Assert.Equal(second.ToUnixTimeMilliseconds(), (long)(await database.Db.SortedSetScoreAsync(Keys.DueFor(history.Id), history.Id))!);

        var done = await Eventually.WaitAsync(async () => (await database.Messages.GetHistoryAsync(history.Id))!,
            h => h.State == MessageStates.Done, Sample.Deadline, "the message to be done");
        Assert.All(done.Waves!, w => Assert.Equal(MessageStates.Done, w.State));
        Assert.Equal((4, 0), (done.Channels[Channels.Telegram].Sent, done.Channels[Channels.Telegram].NoContact));
        Assert.Equal(4, done.Channels[Channels.Vk].NoContact);
        var sends = telegram.Sends.Where(s => s.MessageId == history.Id).ToList();
        Assert.Equal(users, sends.Select(s => s.UserId).Order());
        Assert.All(sends.Where(s => s.UserId is "u3" or "u4"), s =>
            Assert.True(s.At >= second.AddMilliseconds(-100), $"{s.UserId} sent at {s.At:O}, its wave is at {second:O}, now {now:O}"));
        Assert.All(sends.Where(s => s.UserId is "u1" or "u2"), s => Assert.True(s.At < second, $"{s.UserId} waited for the second wave"));
        var receipts = await database.Messages.GetReceiptsAsync(history.Id);
        Assert.Equal(8, receipts.Count);
        Assert.All(receipts, r => Assert.Equal(r.UserId is "u1" or "u2" ? 0 : 1, r.Wave));
        Assert.Equal(0, await database.DueIndexSizeAsync());
    }

    [Fact]
    public async Task Cancel_BetweenWaves_KeepsTheFirst_AndTheSecondIsNeverSent()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        string[] users = ["u1", "u2", "u3", "u4"];
        await Sample.ImportStudentsAsync(database, users);
        var telegram = new FakeSender(Channels.Telegram);
        await using var courier = await CourierHost.StartAsync(database, telegram, output);
        var now = DateTimeOffset.UtcNow;
        var second = now.AddSeconds(2);
        var history = TwoWaves(now, second, [Channels.Telegram]);
        Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(Sample.Command(history, users)));
        await Eventually.WaitAsync(async () => (await database.Messages.GetHistoryAsync(history.Id))!,
            h => h.Waves![0].State == MessageStates.Done, Sample.Deadline, "the first wave to be done");

        var cancel = await database.Messages.CancelAsync(history.Id, DateTimeOffset.UtcNow);

        Assert.True(cancel.Changed);
        var cancelled = AdaJson.Deserialize<HistoryDocument>(cancel.HistoryJson!)!;
        Assert.Equal(MessageStates.Cancelled, cancelled.State);
        Assert.Equal([MessageStates.Done, MessageStates.Cancelled], cancelled.Waves!.Select(w => w.State));
        // A message due after the second wave's time: once the courier sent it, it had every chance to send the
        // cancelled wave (its delivery key and the sweeps), and did not.
        var later = await Sample.EnqueueAsync(database, second.AddSeconds(1.5), ["u1"], [Channels.Telegram]);
        await Sample.WaitForTelegramDoneAsync(database, later.Id);
        Assert.Equal(["u1", "u2"], telegram.Sends.Where(s => s.MessageId == history.Id).Select(s => s.UserId).Order());
        var after = (await database.Messages.GetHistoryAsync(history.Id))!;
        Assert.Equal([MessageStates.Done, MessageStates.Cancelled], after.Waves!.Select(w => w.State));
        Assert.Equal(2, after.Channels[Channels.Telegram].Sent);
    }

    [Fact]
    public async Task RescheduleWaves_MovesOnlyTheWavesNotStarted()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        string[] users = ["u1", "u2", "u3", "u4"];
        var now = DateTimeOffset.UtcNow;
        var history = TwoWaves(now.AddHours(1), now.AddHours(2), [Channels.Telegram]);
        Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(Sample.Command(history, users)));
        var later = now.AddHours(3);
        Wave[] moved = [new(AdaJson.Timestamp(later), later.ToUnixTimeMilliseconds(), 4, MessageStates.Scheduled, [new("Europe/Moscow", 4)])];

        // Planned from a picture in which one wave had started: refused, nothing changes.
        Assert.Equal(ChangeStatus.NotScheduled, (await database.Messages.RescheduleWavesAsync(history.Id, 1, moved, null, ["u4", "u3", "u2", "u1"])).Status);
        var outcome = await database.Messages.RescheduleWavesAsync(history.Id, 0, moved, null, ["u4", "u3", "u2", "u1"]);

        Assert.True(outcome.Changed);
        var h = (await database.Messages.GetHistoryAsync(history.Id))!;
        Assert.Equal(later.ToUnixTimeMilliseconds(), h.DeliverAtMs);
        Assert.Single(h.Waves!);
        Assert.Equal(["u4", "u3", "u2", "u1"], (await database.Messages.RecipientsAsync(history.Id, 0, 4)));
        Assert.Equal(later.ToUnixTimeMilliseconds(), (long)(await database.Db.SortedSetScoreAsync(Keys.DueFor(history.Id), history.Id))!);
        var ttl = await database.Db.KeyTimeToLiveAsync(Keys.Delivery(history.Id));
        Assert.InRange(ttl!.Value.TotalMinutes, 179, 181);
    }
}
