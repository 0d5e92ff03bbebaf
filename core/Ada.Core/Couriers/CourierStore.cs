using Ada.Core.Messages;
using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Core.Couriers;

public enum ClaimStatus { Ok, Missing, Cancelled, NotDue, NotExpected, Done, Busy }

public enum LeaseStatus { Ok, Cancelled, Lost }

/// <summary>What a delivery report did: moved a <c>sent</c> receipt, found none to move, or found it in another state.</summary>
public enum ReceiptUpdate { Updated, Missing, Unchanged }

/// <summary>One receipt on its way into <c>receipts:{id}</c>, with the error class the history counts.</summary>
public sealed record ReceiptWrite(Receipt Receipt, string ErrorClass = "");

public sealed record ReportResult(bool HoldsClaim, bool Cancelled, int Added);

/// <summary>
/// The first batch of a claimed message, read by the claim script: <paramref name="Total"/> people in the recipients
/// snapshot, the first <paramref name="Ids"/> of it, and for each whether it has a receipt in the channel already.
/// </summary>
public sealed record FirstBatch(long Total, RedisValue[] Ids, bool[] Done);

/// <summary>A claim's answer: the history when <see cref="ClaimStatus.Ok"/>, and the first batch when it was asked for.</summary>
public sealed record ClaimAnswer(ClaimStatus Status, HistoryDocument? History, FirstBatch? First);

/// <summary>The courier's side of the pipeline: claim, renew, report, release — each one Lua script or command.</summary>
public sealed class CourierStore(IConnectionMultiplexer mux, AdaScripts scripts)
{
    private IDatabase Db => mux.GetDatabase();

    /// <summary>Every script loaded on every primary (<see cref="AdaScripts.LoadAllAsync"/>): the courier's warm-up.</summary>
    public Task LoadScriptsAsync() => scripts.LoadAllAsync(mux);

    public async Task<(ClaimStatus Status, HistoryDocument? History)> ClaimAsync(
        string id, string channel, string owner, TimeSpan lease, DateTimeOffset now)
    {
        var claim = await ClaimWithFirstBatchAsync(id, channel, owner, lease, now, 0);
        return (claim.Status, claim.History);
    }

    /// <summary>
    /// The claim, and with <paramref name="batchSize"/> &gt; 0 the first batch of a message without waves in the same
    /// round trip (lua/claim.lua): the snapshot's length, its first user ids and which of them have a receipt in this
    /// channel — what <see cref="DeliveryRunner"/> would otherwise read with LLEN, LRANGE and HMGET after the claim.
    /// </summary>
    public async Task<ClaimAnswer> ClaimWithFirstBatchAsync(
        string id, string channel, string owner, TimeSpan lease, DateTimeOffset now, int batchSize)
    {
        RedisKey[] keys = batchSize > 0
            ? [Keys.History(id), Keys.Claim(id, channel), Keys.Recipients(id), Keys.Receipts(id)]
            : [Keys.History(id), Keys.Claim(id, channel)];
        RedisValue[] args = batchSize > 0
            ? [channel, owner, (long)lease.TotalMilliseconds, AdaJson.Timestamp(now), batchSize]
            : [channel, owner, (long)lease.TotalMilliseconds, AdaJson.Timestamp(now)];
        var result = (RedisResult[])(await scripts.RunAsync(Db, Script.Claim, keys, args))!;
        var status = result[0].ToString() switch
        {
            "ok" => ClaimStatus.Ok,
            "missing" => ClaimStatus.Missing,
            "cancelled" => ClaimStatus.Cancelled,
            "not_due" => ClaimStatus.NotDue,
            "not_expected" => ClaimStatus.NotExpected,
            "done" => ClaimStatus.Done,
            _ => ClaimStatus.Busy,
        };
        if (status != ClaimStatus.Ok)
        {
            return new ClaimAnswer(status, null, null);
        }
        var history = AdaJson.Deserialize<HistoryDocument>(result[1].ToString());
        var first = result.Length >= 5
            ? new FirstBatch((long)result[2], (RedisValue[])result[3]!, [.. ((long[])result[4]!).Select(d => d == 1)])
            : null;
        return new ClaimAnswer(status, history, first);
    }

    public async Task<LeaseStatus> RenewAsync(string id, string channel, string owner, TimeSpan lease)
    {
        var result = (RedisResult[])(await scripts.RunAsync(Db, Script.Renew,
            [Keys.History(id), Keys.Claim(id, channel)], [owner, (long)lease.TotalMilliseconds]))!;
        return result[0].ToString() switch
        {
            "ok" => LeaseStatus.Ok,
            "cancelled" => LeaseStatus.Cancelled,
            _ => LeaseStatus.Lost,
        };
    }

    public async Task<ReportResult> ReportAsync(
        string id, string channel, string owner, IReadOnlyList<ReceiptWrite> receipts, bool final, DateTimeOffset now)
    {
        var args = new RedisValue[5 + receipts.Count * 4];
        args[0] = channel;
        args[1] = owner;
        args[2] = final ? "1" : "0";
        args[3] = AdaJson.Timestamp(now);
        args[4] = id;
        for (var i = 0; i < receipts.Count; i++)
        {
            var r = receipts[i];
            args[5 + i * 4] = ReceiptField(channel, r.Receipt.UserId);
            args[6 + i * 4] = r.Receipt.Status;
            args[7 + i * 4] = r.ErrorClass;
            args[8 + i * 4] = AdaJson.Serialize(r.Receipt);
        }
        var result = (RedisResult[])(await scripts.RunAsync(Db, Script.Report,
            [Keys.History(id), Keys.Receipts(id), Keys.Claim(id, channel), Keys.DueFor(id), Keys.Delivery(id)], args))!;
        var code = result[0].ToString();
        if (code == "missing")
        {
            return new ReportResult(false, true, 0);
        }
        return new ReportResult(code == "ok", (int)result[1] == 1, (int)result[2]);
    }

    /// <summary>Gives a claim back (on shutdown) so another instance takes the message at once.</summary>
    public async Task ReleaseAsync(string id, string channel, string owner)
    {
        var tx = Db.CreateTransaction();
        tx.AddCondition(Condition.StringEqual(Keys.Claim(id, channel), owner));
        _ = tx.KeyDeleteAsync(Keys.Claim(id, channel));
        await tx.ExecuteAsync();
    }

    /// <summary>Remembers which receipt a provider's message id belongs to, for delivery reports (kept 7 days).</summary>
    public Task RememberProviderIdAsync(string channel, string providerMessageId, string id, string userId) =>
        Db.StringSetAsync(Keys.ProviderRef(channel, providerMessageId), $"{id}\n{userId}", TimeSpan.FromDays(7));

    /// <summary>The (message id, user id) a provider's message id was sent for, or null.</summary>
    public async Task<(string Id, string UserId)?> FindByProviderIdAsync(string channel, string providerMessageId)
    {
        var value = await Db.StringGetAsync(Keys.ProviderRef(channel, providerMessageId));
        if (value.IsNullOrEmpty)
        {
            return null;
        }
        var parts = value.ToString().Split('\n', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : null;
    }

    /// <summary>
    /// Applies a delivery report to a <c>sent</c> receipt (<c>delivered</c> or <c>failed</c>), with the history's
    /// counts. Reports for receipts in other states leave them <see cref="ReceiptUpdate.Unchanged"/> (a report
    /// may come twice); <see cref="ReceiptUpdate.Missing"/> when there is no receipt (yet) or no message.
    /// </summary>
    public async Task<ReceiptUpdate> UpdateReceiptAsync(string id, string channel, string userId, string status,
        string? detail, string? errorClass, DateTimeOffset now)
    {
        var result = (RedisResult[])(await scripts.RunAsync(Db, Script.UpdateReceipt,
            [Keys.History(id), Keys.Receipts(id)],
            [channel, userId, status, detail ?? "", errorClass ?? "", AdaJson.Timestamp(now)]))!;
        return result[0].ToString() switch
        {
            "ok" => ReceiptUpdate.Updated,
            "missing" => ReceiptUpdate.Missing,
            _ => ReceiptUpdate.Unchanged,
        };
    }

    public static string ReceiptField(string channel, string userId) => $"{channel}:{userId}";
}
