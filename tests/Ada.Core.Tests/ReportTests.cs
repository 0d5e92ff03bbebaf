namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class ReportTests(RedisServer redis)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Report_Receipts_CountsEachStatusAndErrorClass()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await ClaimedAsync(database, "a");

        var result = await Store(database).ReportAsync(message.Id, Channels.Telegram, "a",
        [
            Sent("u1"), Sent("u2"), Failed("u3", "blocked"), Failed("u4", "blocked"), Failed("u5", "rejected"), NoContact("u6"),
        ], final: false, DateTimeOffset.UtcNow);

        Assert.Equal(new ReportResult(true, false, 6), result);
        var section = (await database.Messages.GetHistoryAsync(message.Id))!.Channels[Channels.Telegram];
        Assert.Equal((2, 3, 1), (section.Sent, section.Failed, section.NoContact));
        Assert.Equal(new Dictionary<string, int> { ["blocked"] = 2, ["rejected"] = 1 }, section.Errors);
        Assert.Equal(ChannelStates.Sending, section.State);
        var receipts = await database.Messages.GetReceiptsAsync(message.Id);
        Assert.Equal(["u1", "u2", "u3", "u4", "u5", "u6"], receipts.Select(r => r.UserId));
        Assert.Equal("tg-u1", receipts[0].ProviderMessageId);
        Assert.Equal("no_contact", receipts[5].Status);
    }

    [Fact]
    public async Task Report_SameReceiptTwice_IsRecordedAndCountedOnce()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await ClaimedAsync(database, "a");
        var store = Store(database);
        await store.ReportAsync(message.Id, Channels.Telegram, "a", [Sent("u1"), Failed("u2", "blocked")], final: false, DateTimeOffset.UtcNow);

        var again = await store.ReportAsync(message.Id, Channels.Telegram, "a",
            [Sent("u1") with { Receipt = new Receipt("u1", Channels.Telegram, ReceiptStatus.Sent, ProviderMessageId: "other") },
             Failed("u2", "blocked"), Sent("u3")],
            final: false, DateTimeOffset.UtcNow);

        Assert.Equal(1, again.Added);
        var section = (await database.Messages.GetHistoryAsync(message.Id))!.Channels[Channels.Telegram];
        Assert.Equal((2, 1), (section.Sent, section.Failed));
        Assert.Equal(1, section.Errors["blocked"]);
        Assert.Equal("tg-u1", (await database.Messages.GetReceiptsAsync(message.Id))[0].ProviderMessageId);
    }

    [Fact]
    public async Task Report_FinalByHolderWithChannelsLeft_SetsSectionDoneAndKeepsMessageDue()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await ClaimedAsync(database, "a");
        var now = DateTimeOffset.UtcNow;

        var result = await Store(database).ReportAsync(message.Id, Channels.Telegram, "a", [Sent("u1")], final: true, now);

        Assert.True(result.HoldsClaim);
        var history = (await database.Messages.GetHistoryAsync(message.Id))!;
        Assert.Equal(ChannelStates.Done, history.Channels[Channels.Telegram].State);
        Assert.Equal(AdaJson.Timestamp(now), history.Channels[Channels.Telegram].FinishedAt);
        Assert.Equal(MessageStates.Delivering, history.State);
        Assert.Null(history.FinishedAt);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Claim(message.Id, Channels.Telegram)));
        Assert.Equal([Keys.DueShardOf(message.Id)], await database.DueShardsHoldingAsync(message.Id));
    }

    [Fact]
    public async Task Report_LastChannelFinal_SetsDoneAndLeavesDueIndex()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await ClaimedAsync(database, "a");
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Vk, "v", Lease, DateTimeOffset.UtcNow);
        await store.ReportAsync(message.Id, Channels.Telegram, "a", [Sent("u1")], final: true, DateTimeOffset.UtcNow);
        var now = DateTimeOffset.UtcNow;

        var result = await store.ReportAsync(message.Id, Channels.Vk, "v", [NoContact("u1", Channels.Vk)], final: true, now);

        Assert.Equal(new ReportResult(true, false, 1), result);
        var history = (await database.Messages.GetHistoryAsync(message.Id))!;
        Assert.Equal(MessageStates.Done, history.State);
        Assert.Equal(AdaJson.Timestamp(now), history.FinishedAt);
        Assert.All(history.Channels.Values, s => Assert.Equal(ChannelStates.Done, s.State));
        Assert.Empty(await database.DueShardsHoldingAsync(message.Id));
        Assert.Equal(2, (await database.Messages.GetReceiptsAsync(message.Id)).Count);
    }

    [Fact]
    public async Task Report_FinalByNonHolder_IsLostButKeepsItsReceipts()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await ClaimedAsync(database, "a");

        var result = await Store(database).ReportAsync(message.Id, Channels.Telegram, "b", [Sent("u1")], final: true, DateTimeOffset.UtcNow);

        Assert.Equal(new ReportResult(false, false, 1), result);
        var history = (await database.Messages.GetHistoryAsync(message.Id))!;
        Assert.Equal(ChannelStates.Sending, history.Channels[Channels.Telegram].State);
        Assert.Equal(1, history.Channels[Channels.Telegram].Sent);
        Assert.Equal("a", await database.Db.StringGetAsync(Keys.Claim(message.Id, Channels.Telegram)));
        Assert.Single(await database.Messages.GetReceiptsAsync(message.Id));
    }

    [Fact]
    public async Task Report_AfterCancel_SaysCancelledAndFinalKeepsStateCancelled()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await ClaimedAsync(database, "a", [Channels.Telegram]);
        var store = Store(database);
        await database.Messages.CancelAsync(message.Id, DateTimeOffset.UtcNow);

        var partial = await store.ReportAsync(message.Id, Channels.Telegram, "a", [Sent("u1")], final: false, DateTimeOffset.UtcNow);
        var final = await store.ReportAsync(message.Id, Channels.Telegram, "a", [], final: true, DateTimeOffset.UtcNow);

        Assert.Equal(new ReportResult(true, true, 1), partial);
        Assert.True(final.Cancelled);
        var history = (await database.Messages.GetHistoryAsync(message.Id))!;
        Assert.Equal(MessageStates.Cancelled, history.State);
        Assert.Equal(ChannelStates.Done, history.Channels[Channels.Telegram].State);
        Assert.NotNull(history.FinishedAt);
    }

    [Fact]
    public async Task Report_MissingMessage_SaysMissing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);

        var result = await Store(database).ReportAsync("t1:1", Channels.Telegram, "a", [Sent("u1")], final: true, DateTimeOffset.UtcNow);

        Assert.Equal(new ReportResult(false, true, 0), result);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Receipts("t1:1")));
    }

    [Fact]
    public async Task Scripts_RewritingHistory_KeepEmptyArraysAsArrays()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var to = new Addressees([], ["g1"], []);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"], [Channels.Telegram], to);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);
        await store.ReportAsync(message.Id, Channels.Telegram, "a", [Sent("u1")], final: true, DateTimeOffset.UtcNow);

        var raw = await database.RawHistoryAsync(message.Id);

        Assert.Contains("\"users\":[]", raw, StringComparison.Ordinal);
        Assert.Contains("\"supergroups\":[]", raw, StringComparison.Ordinal);
        Assert.Contains("\"groups\":[\"g1\"]", raw, StringComparison.Ordinal);
        Assert.Equal(MessageStates.Done, AdaJson.Deserialize<HistoryDocument>(raw)!.State);
    }

    [Fact]
    public async Task Scripts_RewritingHistoryWithoutExpectedChannels_KeepExpectedChannelsAnArray()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(1), 1, []);
        await database.Messages.EnqueueAsync(Sample.Command(history, ["u1"]));

        await database.Messages.RescheduleAsync(history.Id, DateTimeOffset.UtcNow.AddMinutes(2), new Rescheduled("now", "quiet hours"));
        await database.Messages.CancelAsync(history.Id, DateTimeOffset.UtcNow);

        var raw = await database.RawHistoryAsync(history.Id);
        Assert.Contains("\"expectedChannels\":[]", raw, StringComparison.Ordinal);
        Assert.Contains("\"users\":[]", raw, StringComparison.Ordinal);
        var stored = AdaJson.Deserialize<HistoryDocument>(raw)!;
        Assert.Empty(stored.ExpectedChannels);
        Assert.Equal(new Rescheduled("now", "quiet hours"), stored.Rescheduled);
    }

    private static async Task<HistoryDocument> ClaimedAsync(TestDatabase database, string owner, IReadOnlyList<string>? channels = null)
    {
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, Sample.Users(6), channels);
        var (status, _) = await Store(database).ClaimAsync(message.Id, Channels.Telegram, owner, Lease, DateTimeOffset.UtcNow);
        Assert.Equal(ClaimStatus.Ok, status);
        return message;
    }

    private static ReceiptWrite Sent(string user) =>
        new(new Receipt(user, Channels.Telegram, ReceiptStatus.Sent, ProviderMessageId: $"tg-{user}", Attempts: 1));

    private static ReceiptWrite Failed(string user, string errorClass) =>
        new(new Receipt(user, Channels.Telegram, ReceiptStatus.Failed, Detail: "no", Attempts: 1), errorClass);

    private static ReceiptWrite NoContact(string user, string channel = Channels.Telegram) =>
        new(new Receipt(user, channel, ReceiptStatus.NoContact));

    private static CourierStore Store(TestDatabase database) => new(database.Mux, TestDatabase.Scripts);
}
