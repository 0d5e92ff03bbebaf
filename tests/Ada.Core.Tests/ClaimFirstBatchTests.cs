using Ada.Core.Couriers;
using Ada.Core.Messages;
using Ada.Testing;

namespace Ada.Core.Tests;

/// <summary>The claim that brings the first batch along (lua/claim.lua, KEYS[3..4] and ARGV[5]; issue 11, the lag's tail).</summary>
[Collection(RedisCollection.Name)]
public sealed class ClaimFirstBatchTests(RedisServer redis)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Claim_WithBatchSize_ReturnsSnapshotLengthFirstIdsAndWhoHasAReceipt()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1", "u2", "u3"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow);
        await store.ReportAsync(message.Id, Channels.Telegram, "a",
            [new ReceiptWrite(new Receipt("u2", Channels.Telegram, ReceiptStatus.Sent, Attempts: 1))], final: false, DateTimeOffset.UtcNow);
        // A receipt of another channel is not this channel's.
        await store.ReportAsync(message.Id, Channels.Vk, "v",
            [new ReceiptWrite(new Receipt("u1", Channels.Vk, ReceiptStatus.Sent, Attempts: 1))], final: false, DateTimeOffset.UtcNow);

        var claim = await store.ClaimWithFirstBatchAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow, 2);

        Assert.Equal(ClaimStatus.Ok, claim.Status);
        Assert.Equal(message.Id, claim.History!.Id);
        Assert.Equal(3, claim.First!.Total);
        Assert.Equal(["u1", "u2"], claim.First.Ids.Select(v => v.ToString()));
        Assert.Equal([false, true], claim.First.Done);
    }

    [Fact]
    public async Task Claim_WithBatchSizeLargerThanTheSnapshot_ReturnsEveryone()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);

        var claim = await Store(database).ClaimWithFirstBatchAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow, 500);

        Assert.Equal(ClaimStatus.Ok, claim.Status);
        Assert.Equal(1, claim.First!.Total);
        Assert.Equal(["u1"], claim.First.Ids.Select(v => v.ToString()));
        Assert.Equal([false], claim.First.Done);
        Assert.Equal("a", await database.Db.StringGetAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    [Fact]
    public async Task Claim_Refused_ReadsNoBatchAndTakesNoLease()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);
        var store = Store(database);
        await store.ClaimAsync(message.Id, Channels.Telegram, "b", Lease, DateTimeOffset.UtcNow);

        var claim = await store.ClaimWithFirstBatchAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow, 500);

        Assert.Equal(new ClaimAnswer(ClaimStatus.Busy, null, null), claim);
        Assert.Equal("b", await database.Db.StringGetAsync(Keys.Claim(message.Id, Channels.Telegram)));
    }

    [Fact]
    public async Task Claim_WithoutBatchSize_AnswersAsBefore()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var message = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow, ["u1"]);

        var claim = await Store(database).ClaimWithFirstBatchAsync(message.Id, Channels.Telegram, "a", Lease, DateTimeOffset.UtcNow, 0);

        Assert.Equal(ClaimStatus.Ok, claim.Status);
        Assert.NotNull(claim.History);
        Assert.Null(claim.First);
    }

    private static CourierStore Store(TestDatabase database) => new(database.Mux, TestDatabase.Scripts);
}
