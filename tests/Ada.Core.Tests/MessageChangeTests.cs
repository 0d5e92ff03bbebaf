namespace Ada.Core.Tests;

/// <summary>Cancel, reschedule and send-now: which states they accept and what they do to the delivery key and due index.</summary>
[Collection(RedisCollection.Name)]
public sealed class MessageChangeTests(RedisServer redis)
{
    [Fact]
    public async Task Cancel_Scheduled_CancelsAndDropsDeliveryKeyAndDueEntry()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var deleted = await KeyEventLog.SubscribeAsync(database, "del");
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddMinutes(5), ["u1"]);
        var now = DateTimeOffset.UtcNow;

        var outcome = await database.Messages.CancelAsync(message.Id, now);

        Assert.True(outcome.Changed);
        var history = AdaJson.Deserialize<HistoryDocument>(outcome.HistoryJson!)!;
        Assert.Equal(MessageStates.Cancelled, history.State);
        Assert.Equal(AdaJson.Timestamp(now), history.CancelledAt);
        Assert.Equal(outcome.HistoryJson, await database.RawHistoryAsync(message.Id));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(message.Id)));
        Assert.Empty(await database.DueShardsHoldingAsync(message.Id));
        // Couriers hear of it as of any deleted order; their claim then says cancelled.
        await deleted.WaitForAsync(Keys.Delivery(message.Id), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancel_Delivering_Cancels()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        await new CourierStore(database.Mux, TestDatabase.Scripts)
            .ClaimAsync(message.Id, Channels.Telegram, "a", TimeSpan.FromSeconds(10), DateTimeOffset.UtcNow);

        var outcome = await database.Messages.CancelAsync(message.Id, DateTimeOffset.UtcNow);

        Assert.True(outcome.Changed);
        Assert.Equal(MessageStates.Cancelled, (await database.Messages.GetHistoryAsync(message.Id))!.State);
        Assert.Empty(await database.DueShardsHoldingAsync(message.Id));
    }

    [Theory]
    [InlineData(MessageStates.Done)]
    [InlineData(MessageStates.Cancelled)]
    public Task Cancel_FinalMessage_IsRefusedWithItsState(string state) =>
        AssertRefusedAsync(state, ChangeStatus.Final, (messages, id) => messages.CancelAsync(id, DateTimeOffset.UtcNow));

    [Fact]
    public async Task Changes_OfMissingMessage_AreRefusedAsMissing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);

        var outcomes = new[]
        {
            await database.Messages.CancelAsync("t1:1", DateTimeOffset.UtcNow),
            await database.Messages.SendNowAsync("t1:1", DateTimeOffset.UtcNow),
            await database.Messages.RescheduleAsync("t1:1", DateTimeOffset.UtcNow.AddHours(1), null),
        };

        Assert.All(outcomes, o => Assert.Equal(new ChangeOutcome(ChangeStatus.Missing, null, null), o));
        Assert.False(await database.Db.KeyExistsAsync(Keys.History("t1:1")));
    }

    [Fact]
    public async Task Reschedule_Scheduled_MovesDeliveryTimeTtlAndDueScore()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddMinutes(5), ["u1"]);
        var later = DateTimeOffset.UtcNow.AddHours(3);
        var reason = new Rescheduled(message.DeliverAt, "quiet hours");

        var outcome = await database.Messages.RescheduleAsync(message.Id, later, reason);

        Assert.True(outcome.Changed);
        var history = (await database.Messages.GetHistoryAsync(message.Id))!;
        Assert.Equal((AdaJson.Timestamp(later), later.ToUnixTimeMilliseconds()), (history.DeliverAt, history.DeliverAtMs));
        Assert.Equal(reason, history.Rescheduled);
        Assert.Equal(MessageStates.Scheduled, history.State);
        Assert.Equal(later.ToUnixTimeMilliseconds(), await database.ExpireTimeMsAsync(Keys.Delivery(message.Id)));
        Assert.Equal(later.ToUnixTimeMilliseconds(), await database.Db.SortedSetScoreAsync(Keys.DueFor(message.Id), message.Id));
    }

    [Fact]
    public async Task Reschedule_WithoutReason_ClearsPreviousReason()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddMinutes(5), ["u1"]);
        await database.Messages.RescheduleAsync(message.Id, DateTimeOffset.UtcNow.AddHours(1), new Rescheduled("x", "quiet hours"));

        await database.Messages.RescheduleAsync(message.Id, DateTimeOffset.UtcNow.AddHours(2), null);

        Assert.Null((await database.Messages.GetHistoryAsync(message.Id))!.Rescheduled);
        Assert.Contains("\"rescheduled\":null", await database.RawHistoryAsync(message.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reschedule_IntoThePast_DeletesDeliveryKeyAtOnce()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var deleted = await KeyEventLog.SubscribeAsync(database, "del");
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddMinutes(5), ["u1"]);

        var outcome = await database.Messages.RescheduleAsync(message.Id, DateTimeOffset.UtcNow.AddSeconds(-1), null);

        Assert.True(outcome.Changed);
        await deleted.WaitForAsync(Keys.Delivery(message.Id), TimeSpan.FromSeconds(5));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(message.Id)));
    }

    [Theory]
    [InlineData(MessageStates.Delivering)]
    [InlineData(MessageStates.Done)]
    [InlineData(MessageStates.Cancelled)]
    public Task Reschedule_NotScheduled_IsRefusedWithItsState(string state) =>
        AssertRefusedAsync(state, ChangeStatus.NotScheduled,
            (messages, id) => messages.RescheduleAsync(id, DateTimeOffset.UtcNow.AddHours(1), null));

    [Fact]
    public async Task SendNow_Scheduled_DeletesDeliveryKeyAndMakesItDue()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var deleted = await KeyEventLog.SubscribeAsync(database, "del");
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddHours(1), ["u1"]);
        var now = DateTimeOffset.UtcNow;

        var outcome = await database.Messages.SendNowAsync(message.Id, now);

        Assert.True(outcome.Changed);
        await deleted.WaitForAsync(Keys.Delivery(message.Id), TimeSpan.FromSeconds(5));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(message.Id)));
        var history = (await database.Messages.GetHistoryAsync(message.Id))!;
        Assert.Equal(AdaJson.Timestamp(now), history.DeliverAt);
        Assert.InRange(history.DeliverAtMs, now.ToUnixTimeMilliseconds() - 2000, now.ToUnixTimeMilliseconds() + 2000);
        Assert.Equal(history.DeliverAtMs, await database.Db.SortedSetScoreAsync(Keys.DueFor(message.Id), message.Id));
        var (status, _) = await new CourierStore(database.Mux, TestDatabase.Scripts)
            .ClaimAsync(message.Id, Channels.Telegram, "a", TimeSpan.FromSeconds(5), now);
        Assert.Equal(ClaimStatus.Ok, status);
    }

    [Theory]
    [InlineData(MessageStates.Delivering)]
    [InlineData(MessageStates.Done)]
    [InlineData(MessageStates.Cancelled)]
    public Task SendNow_NotScheduled_IsRefusedWithItsState(string state) =>
        AssertRefusedAsync(state, ChangeStatus.NotScheduled, (messages, id) => messages.SendNowAsync(id, DateTimeOffset.UtcNow));

    /// <summary>
    /// Brings a message into <paramref name="state"/> and tries <paramref name="change"/> on it: refused with
    /// <paramref name="status"/> and the state, the history untouched, no delivery key written back.
    /// </summary>
    private async Task AssertRefusedAsync(string state, ChangeStatus status, Func<MessageStore, string, Task<ChangeOutcome>> change)
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await InStateAsync(database, state);
        var before = await database.RawHistoryAsync(message.Id);

        var outcome = await change(database.Messages, message.Id);

        Assert.Equal(new ChangeOutcome(status, null, state), outcome);
        Assert.Equal(before, await database.RawHistoryAsync(message.Id));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(message.Id)));
    }

    /// <summary>A due message brought into the state by the scripts themselves (claim, report, cancel).</summary>
    private static async Task<HistoryDocument> InStateAsync(TestDatabase database, string state)
    {
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"], [Channels.Telegram]);
        var store = new CourierStore(database.Mux, TestDatabase.Scripts);
        if (state is MessageStates.Delivering or MessageStates.Done)
        {
            await store.ClaimAsync(message.Id, Channels.Telegram, "a", TimeSpan.FromSeconds(10), DateTimeOffset.UtcNow);
        }
        if (state is MessageStates.Done)
        {
            await store.ReportAsync(message.Id, Channels.Telegram, "a", [], final: true, DateTimeOffset.UtcNow);
        }
        if (state is MessageStates.Cancelled)
        {
            await database.Messages.CancelAsync(message.Id, DateTimeOffset.UtcNow);
        }
        Assert.Equal(state, (await database.Messages.GetHistoryAsync(message.Id))!.State);
        return message;
    }
}
