namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class ClaimTests(RedisServer redis)
{
    private static readonly TimeSpan Lease = TelegramSection.Lease;

    [Fact]
    public async Task Claim_DueMessage_MovesSectionToSendingAndMessageToDelivering()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        var now = DateTimeOffset.UtcNow;

        var (status, history) = await telegram.ClaimAsync("a", now);

        Assert.Equal(ClaimStatus.Ok, status);
        Assert.Equal(MessageStates.Delivering, history!.State);
        Assert.Equal(ChannelStates.Sending, history.Channels[Channels.Telegram].State);
        Assert.Equal(AdaJson.Timestamp(now), history.Channels[Channels.Telegram].StartedAt);
        Assert.Equal(ChannelStates.Pending, history.Channels[Channels.Vk].State);
        var stored = await telegram.HistoryAsync();
        Assert.Equal(MessageStates.Delivering, stored.State);
        Assert.Equal(ChannelStates.Sending, stored.Channels[Channels.Telegram].State);
        Assert.Equal("a", await telegram.HolderAsync());
        Assert.InRange((await telegram.LeaseLeftAsync())!.Value, Lease - TimeSpan.FromSeconds(2), Lease);
    }

    [Fact]
    public async Task Claim_CancelledMessage_IsRefused()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.CancelAsync();

        var (status, history) = await telegram.ClaimAsync("a");

        Assert.Equal(ClaimStatus.Cancelled, status);
        Assert.Null(history);
        Assert.False(await telegram.IsClaimedAsync());
    }

    [Fact]
    public async Task Claim_MessageDueLater_IsNotDue()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database, deliverAt: DateTimeOffset.UtcNow.AddSeconds(30));

        var (status, _) = await telegram.ClaimAsync("a");

        Assert.Equal(ClaimStatus.NotDue, status);
        Assert.Equal(MessageStates.Scheduled, (await telegram.HistoryAsync()).State);
    }

    [Fact]
    public async Task Claim_ChannelNotExpected_IsRefused()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);

        var (status, _) = await telegram.Store.ClaimAsync(telegram.Id, Channels.Sms, "a", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.NotExpected, status);
    }

    [Fact]
    public async Task Claim_MissingMessage_IsMissing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);

        var (status, _) = await new TelegramSection(database, "t1:1").ClaimAsync("a");

        Assert.Equal(ClaimStatus.Missing, status);
    }

    [Fact]
    public async Task Claim_SectionAlreadyDone_IsRefused()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.ClaimAsync("a");
        await telegram.ReportAsync("a", [], final: true);

        var (status, _) = await telegram.ClaimAsync("b");

        Assert.Equal(ClaimStatus.Done, status);
        Assert.False(await telegram.IsClaimedAsync());
    }

    [Fact]
    public async Task Claim_HeldByAnotherOwner_IsBusy()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.ClaimAsync("a");

        var (status, _) = await telegram.ClaimAsync("b");

        Assert.Equal(ClaimStatus.Busy, status);
        Assert.Equal("a", await telegram.HolderAsync());
    }

    [Fact]
    public async Task Claim_OtherChannel_IsIndependent()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.ClaimAsync("a");

        var (status, history) = await telegram.Store.ClaimAsync(telegram.Id, Channels.Vk, "b", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.Ok, status);
        Assert.All(history!.Channels.Values, s => Assert.Equal(ChannelStates.Sending, s.State));
    }

    [Fact]
    public async Task Claim_BySameOwnerAgain_RenewsLeaseAndKeepsStartTime()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        var started = DateTimeOffset.UtcNow;
        await telegram.ClaimAsync("a", started);
        await database.Db.KeyExpireAsync(telegram.ClaimKey, TimeSpan.FromSeconds(1));

        var (status, history) = await telegram.ClaimAsync("a", started.AddSeconds(5));

        Assert.Equal(ClaimStatus.Ok, status);
        Assert.Equal(AdaJson.Timestamp(started), history!.Channels[Channels.Telegram].StartedAt);
        Assert.True((await telegram.LeaseLeftAsync())!.Value > TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Renew_ByHolder_ExtendsLease()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.ClaimAsync("a", lease: TimeSpan.FromSeconds(1));

        var status = await telegram.RenewAsync("a");

        Assert.Equal(LeaseStatus.Ok, status);
        Assert.True((await telegram.LeaseLeftAsync())!.Value > TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Renew_ClaimHeldByOther_IsLostAndLeavesTheirLease()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.ClaimAsync("b");

        var status = await telegram.RenewAsync("a");

        Assert.Equal(LeaseStatus.Lost, status);
        Assert.Equal("b", await telegram.HolderAsync());
    }

    [Fact]
    public async Task Renew_ClaimLapsed_IsLost()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);

        var status = await telegram.RenewAsync("a");

        Assert.Equal(LeaseStatus.Lost, status);
        Assert.False(await telegram.IsClaimedAsync());
    }

    [Fact]
    public async Task Renew_CancelledMessage_TellsHolderToStop()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.ClaimAsync("a");
        await telegram.CancelAsync();

        Assert.Equal(LeaseStatus.Cancelled, await telegram.RenewAsync("a"));
    }

    [Fact]
    public async Task Release_ByHolder_FreesClaimButNotAnotherOwners()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var telegram = await TelegramSection.QueueAsync(database);
        await telegram.ClaimAsync("a");

        await telegram.ReleaseAsync("b");
        var heldAfterOther = await telegram.IsClaimedAsync();
        await telegram.ReleaseAsync("a");

        Assert.True(heldAfterOther);
        Assert.False(await telegram.IsClaimedAsync());
    }
}
