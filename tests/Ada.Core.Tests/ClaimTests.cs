namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class ClaimTests(RedisServer redis)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Claim_DueMessage_MovesSectionToSendingAndMessageToDelivering()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var now = DateTimeOffset.UtcNow;

        var (status, history) = await Store(database).ClaimAsync(message.Id, Channels.Telegram, "a", Lease, now);

        Assert.Equal(ClaimStatus.Ok, status);
        Assert.Equal(MessageStates.Delivering, history!.State);
        Assert.Equal(ChannelStates.Sending, history.Channels[Channels.Telegram].State);
        Assert.Equal(AdaJson.Timestamp(now), history.Channels[Channels.Telegram].StartedAt);
        Assert.Equal(ChannelStates.Pending, history.Channels[Channels.Vk].State);
        var stored = (await database.Messages.GetHistoryAsync(message.Id))!;
        Assert.Equal(MessageStates.Delivering, stored.State);
        Assert.Equal(ChannelStates.Sending, stored.Channels[Channels.Telegram].State);
        Assert.Equal("a", await database.Db.StringGetAsync(Keys.Claim(message.Id, Channels.Telegram)));
        Assert.InRange((await database.Db.KeyTimeToLiveAsync(Keys.Claim(message.Id, Channels.Telegram)))!.Value,
            Lease - TimeSpan.FromSeconds(2), Lease);
    }

    [Fact]
    public async Task Claim_CancelledMessage_IsRefused()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        await database.Messages.CancelAsync(message.Id, DateTimeOffset.UtcNow);

        var (status, history) = await Store(database).ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.Cancelled, status);
        Assert.Null(history);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    [Fact]
    public async Task Claim_MessageDueLater_IsNotDue()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddSeconds(30), ["u1"]);

        var (status, _) = await Store(database).ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.NotDue, status);
        Assert.Equal(MessageStates.Scheduled, (await database.Messages.GetHistoryAsync(message.Id))!.State);
    }

    [Fact]
    public async Task Claim_ChannelNotExpected_IsRefused()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);

        var (status, _) = await Store(database).ClaimAsync(message.Id, Channels.Sms, "a", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.NotExpected, status);
    }

    [Fact]
    public async Task Claim_MissingMessage_IsMissing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);

        var (status, _) = await Store(database).ClaimAsync("t1:1", Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.Missing, status);
    }

    [Fact]
    public async Task Claim_SectionAlreadyDone_IsRefused()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);
        await store.ReportAsync(message.Id, Channels.Telegram, "a", [], final: true, DateTimeOffset.UtcNow);

        var (status, _) = await store.ClaimAsync(message.Id, Channels.Telegram, "b", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.Done, status);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    [Fact]
    public async Task Claim_HeldByAnotherOwner_IsBusy()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);

        var (status, _) = await store.ClaimAsync(message.Id, Channels.Telegram, "b", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.Busy, status);
        Assert.Equal("a", await database.Db.StringGetAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    [Fact]
    public async Task Claim_OtherChannel_IsIndependent()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);

        var (status, history) = await store.ClaimAsync(message.Id, Channels.Vk, "b", Lease, DateTimeOffset.UtcNow);

        Assert.Equal(ClaimStatus.Ok, status);
        Assert.All(history!.Channels.Values, s => Assert.Equal(ChannelStates.Sending, s.State));
    }

    [Fact]
    public async Task Claim_BySameOwnerAgain_RenewsLeaseAndKeepsStartTime()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        var started = DateTimeOffset.UtcNow;
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, started);
        await database.Db.KeyExpireAsync(Keys.Claim(message.Id, Channels.Telegram), TimeSpan.FromSeconds(1));

        var (status, history) = await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, started.AddSeconds(5));

        Assert.Equal(ClaimStatus.Ok, status);
        Assert.Equal(AdaJson.Timestamp(started), history!.Channels[Channels.Telegram].StartedAt);
        Assert.True((await database.Db.KeyTimeToLiveAsync(Keys.Claim(message.Id, Channels.Telegram)))!.Value > TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Renew_ByHolder_ExtendsLease()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow);

        var status = await store.RenewAsync(message.Id, Channels.Telegram, "a", Lease);

        Assert.Equal(LeaseStatus.Ok, status);
        Assert.True((await database.Db.KeyTimeToLiveAsync(Keys.Claim(message.Id, Channels.Telegram)))!.Value > TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Renew_ClaimHeldByOther_IsLostAndLeavesTheirLease()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "b", Lease, DateTimeOffset.UtcNow);

        var status = await store.RenewAsync(message.Id, Channels.Telegram, "a", Lease);

        Assert.Equal(LeaseStatus.Lost, status);
        Assert.Equal("b", await database.Db.StringGetAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    [Fact]
    public async Task Renew_ClaimLapsed_IsLost()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);

        var status = await Store(database).RenewAsync(message.Id, Channels.Telegram, "a", Lease);

        Assert.Equal(LeaseStatus.Lost, status);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    [Fact]
    public async Task Renew_CancelledMessage_TellsHolderToStop()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);
        await database.Messages.CancelAsync(message.Id, DateTimeOffset.UtcNow);

        var status = await store.RenewAsync(message.Id, Channels.Telegram, "a", Lease);

        Assert.Equal(LeaseStatus.Cancelled, status);
    }

    [Fact]
    public async Task Release_ByHolder_FreesClaimButNotAnotherOwners()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);

        await store.ReleaseAsync(message.Id, Channels.Telegram, "b");
        var heldAfterOther = await database.Db.KeyExistsAsync(Keys.Claim(message.Id, Channels.Telegram));
        await store.ReleaseAsync(message.Id, Channels.Telegram, "a");

        Assert.True(heldAfterOther);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    private static CourierStore Store(TestDatabase database) => new(database.Mux, TestDatabase.Scripts);
}
