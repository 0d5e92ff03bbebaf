namespace Ada.Core.Tests;

/// <summary>
/// A queued message's Telegram section as couriers see it through the courier store: claimed, renewed, reported
/// and released by an owner, with a lease of <see cref="Lease"/> unless said otherwise.
/// </summary>
public sealed class TelegramSection(TestDatabase database, string id)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    public string Id => id;

    public CourierStore Store { get; } = new(database.Mux, TestDatabase.Scripts);

    /// <summary>The claim key; its value is the owner holding the section.</summary>
    public RedisKey ClaimKey => Keys.Claim(id, Channels.Telegram);

    /// <summary>Queues a message to <paramref name="recipients"/> (u1 unless said), due <paramref name="deliverAt"/> (now unless said).</summary>
    public static async Task<TelegramSection> QueueAsync(TestDatabase database, DateTimeOffset? deliverAt = null,
        IReadOnlyList<string>? recipients = null, IReadOnlyList<string>? channels = null)
    {
        var message = await Sample.EnqueueAsync(database, deliverAt ?? DateTimeOffset.UtcNow, recipients ?? ["u1"], channels);
        return new TelegramSection(database, message.Id);
    }

    public Task<(ClaimStatus Status, HistoryDocument? History)> ClaimAsync(string owner, DateTimeOffset? now = null, TimeSpan? lease = null) =>
        Store.ClaimAsync(id, Channels.Telegram, owner, lease ?? Lease, now ?? DateTimeOffset.UtcNow);

    public Task<LeaseStatus> RenewAsync(string owner) => Store.RenewAsync(id, Channels.Telegram, owner, Lease);

    public Task<ReportResult> ReportAsync(string owner, IReadOnlyList<ReceiptWrite> receipts, bool final, DateTimeOffset? now = null) =>
        Store.ReportAsync(id, Channels.Telegram, owner, receipts, final, now ?? DateTimeOffset.UtcNow);

    public Task ReleaseAsync(string owner) => Store.ReleaseAsync(id, Channels.Telegram, owner);

    public Task<RedisValue> HolderAsync() => database.Db.StringGetAsync(ClaimKey);

    public Task<bool> IsClaimedAsync() => database.Db.KeyExistsAsync(ClaimKey);

    public Task<TimeSpan?> LeaseLeftAsync() => database.Db.KeyTimeToLiveAsync(ClaimKey);

    public async Task<HistoryDocument> HistoryAsync() => (await database.Messages.GetHistoryAsync(id))!;

    public Task CancelAsync() => database.Messages.CancelAsync(id, DateTimeOffset.UtcNow);
}
