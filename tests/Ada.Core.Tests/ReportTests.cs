namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class ReportTests(RedisServer redis)
{
    [Fact]
    public async Task Report_Receipts_CountsEachStatusAndErrorClass()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await ClaimedAsync(database, "a");

        var result = await telegram.ReportAsync("a",
        [
            Sent("u1"), Sent("u2"), Failed("u3", "blocked"), Failed("u4", "blocked"), Failed("u5", "rejected"), NoContact("u6"),
        ], final: false);

        Assert.Equal(new ReportResult(true, false, 6), result);
        var section = (await telegram.HistoryAsync()).Channels[Channels.Telegram];
        Assert.Equal((2, 3, 1), (section.Sent, section.Failed, section.NoContact));
        Assert.Equal(new Dictionary<string, int> { ["blocked"] = 2, ["rejected"] = 1 }, section.Errors);
        Assert.Equal(ChannelStates.Sending, section.State);
        var receipts = await database.Messages.GetReceiptsAsync(telegram.Id);
        Assert.Equal(["u1", "u2", "u3", "u4", "u5", "u6"], receipts.Select(r => r.UserId));
        Assert.Equal("tg-u1", receipts[0].ProviderMessageId);
        Assert.Equal("no_contact", receipts[5].Status);
    }

    [Fact]
    public async Task Report_SameReceiptTwice_IsRecordedAndCountedOnce()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await ClaimedAsync(database, "a");
        await telegram.ReportAsync("a", [Sent("u1"), Failed("u2", "blocked")], final: false);

        var again = await telegram.ReportAsync("a",
            [Sent("u1") with { Receipt = new Receipt("u1", Channels.Telegram, ReceiptStatus.Sent, ProviderMessageId: "other") },
             Failed("u2", "blocked"), Sent("u3")],
            final: false);

        Assert.Equal(1, again.Added);
        var section = (await telegram.HistoryAsync()).Channels[Channels.Telegram];
        Assert.Equal((2, 1), (section.Sent, section.Failed));
        Assert.Equal(1, section.Errors["blocked"]);
        Assert.Equal("tg-u1", (await database.Messages.GetReceiptsAsync(telegram.Id))[0].ProviderMessageId);
    }

    [Fact]
    public async Task Report_FinalByHolderWithChannelsLeft_SetsSectionDoneAndKeepsMessageDue()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await ClaimedAsync(database, "a");
        var now = DateTimeOffset.UtcNow;

        var result = await telegram.ReportAsync("a", [Sent("u1")], final: true, now);

        Assert.True(result.HoldsClaim);
        var history = await telegram.HistoryAsync();
        Assert.Equal(ChannelStates.Done, history.Channels[Channels.Telegram].State);
        Assert.Equal(AdaJson.Timestamp(now), history.Channels[Channels.Telegram].FinishedAt);
        Assert.Equal(MessageStates.Delivering, history.State);
        Assert.Null(history.FinishedAt);
        Assert.False(await telegram.IsClaimedAsync());
        Assert.Equal([Keys.DueShardOf(telegram.Id)], await database.DueShardsHoldingAsync(telegram.Id));
    }

    [Fact]
    public async Task Report_LastChannelFinal_SetsDoneAndLeavesDueIndex()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await ClaimedAsync(database, "a");
        await telegram.Store.ClaimAsync(telegram.Id, Channels.Vk, "v", TelegramSection.Lease, DateTimeOffset.UtcNow);
        await telegram.ReportAsync("a", [Sent("u1")], final: true);
        var now = DateTimeOffset.UtcNow;

        var result = await telegram.Store.ReportAsync(telegram.Id, Channels.Vk, "v", [NoContact("u1", Channels.Vk)], final: true, now);

        Assert.Equal(new ReportResult(true, false, 1), result);
        var history = await telegram.HistoryAsync();
        Assert.Equal(MessageStates.Done, history.State);
        Assert.Equal(AdaJson.Timestamp(now), history.FinishedAt);
        Assert.All(history.Channels.Values, s => Assert.Equal(ChannelStates.Done, s.State));
        Assert.Empty(await database.DueShardsHoldingAsync(telegram.Id));
        Assert.Equal(2, (await database.Messages.GetReceiptsAsync(telegram.Id)).Count);
    }

    [Fact]
    public async Task Report_FinalByNonHolder_IsLostButKeepsItsReceipts()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await ClaimedAsync(database, "a");

        var result = await telegram.ReportAsync("b", [Sent("u1")], final: true);

        Assert.Equal(new ReportResult(false, false, 1), result);
        var history = await telegram.HistoryAsync();
        Assert.Equal(ChannelStates.Sending, history.Channels[Channels.Telegram].State);
        Assert.Equal(1, history.Channels[Channels.Telegram].Sent);
        Assert.Equal("a", await telegram.HolderAsync());
        Assert.Single(await database.Messages.GetReceiptsAsync(telegram.Id));
    }

    [Fact]
    public async Task Report_AfterCancel_SaysCancelledAndFinalKeepsStateCancelled()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await ClaimedAsync(database, "a", [Channels.Telegram]);
        await telegram.CancelAsync();

        var partial = await telegram.ReportAsync("a", [Sent("u1")], final: false);
        var final = await telegram.ReportAsync("a", [], final: true);

        Assert.Equal(new ReportResult(true, true, 1), partial);
        Assert.True(final.Cancelled);
        var history = await telegram.HistoryAsync();
        Assert.Equal(MessageStates.Cancelled, history.State);
        Assert.Equal(ChannelStates.Done, history.Channels[Channels.Telegram].State);
        Assert.NotNull(history.FinishedAt);
    }

    [Fact]
    public async Task Report_MissingMessage_SaysMissing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);

        var result = await new TelegramSection(database, "t1:1").ReportAsync("a", [Sent("u1")], final: true);

        Assert.Equal(new ReportResult(false, true, 0), result);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Receipts("t1:1")));
    }

    [Fact]
    public async Task Scripts_RewritingHistory_KeepEmptyArraysAsArrays()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var to = new Addressees([], ["g1"], []);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"], [Channels.Telegram], to);
        var telegram = new TelegramSection(database, message.Id);
        await telegram.ClaimAsync("a");
        await telegram.ReportAsync("a", [Sent("u1")], final: true);

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

    /// <summary>A message to six users whose Telegram section <paramref name="owner"/> holds.</summary>
    private static async Task<TelegramSection> ClaimedAsync(TestDatabase database, string owner, IReadOnlyList<string>? channels = null)
    {
        var telegram = await TelegramSection.QueueAsync(database, recipients: Sample.Users(6), channels: channels);
        var (status, _) = await telegram.ClaimAsync(owner);
        Assert.Equal(ClaimStatus.Ok, status);
        return telegram;
    }

    private static ReceiptWrite Sent(string user) =>
        new(new Receipt(user, Channels.Telegram, ReceiptStatus.Sent, ProviderMessageId: $"tg-{user}", Attempts: 1));

    private static ReceiptWrite Failed(string user, string errorClass) =>
        new(new Receipt(user, Channels.Telegram, ReceiptStatus.Failed, Detail: "no", Attempts: 1), errorClass);

    private static ReceiptWrite NoContact(string user, string channel = Channels.Telegram) =>
        new(new Receipt(user, channel, ReceiptStatus.NoContact));
}
