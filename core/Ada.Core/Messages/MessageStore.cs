using System.Globalization;
using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Core.Messages;

/// <summary>Everything needed to write one message: the document, the snapshot of recipients, the limits.</summary>
public sealed record EnqueueCommand(
    HistoryDocument History,
    string Fingerprint,
    string AnswerJson,
    IReadOnlyList<string> Recipients,
    int MessagesPerHour,
    int RecipientsPerMessage);

public abstract record EnqueueOutcome
{
    public sealed record Accepted : EnqueueOutcome;
    /// <summary>The same id was queued before with the same content: the first answer, again.</summary>
    public sealed record Duplicate(string AnswerJson) : EnqueueOutcome;
    /// <summary>The id exists with other content.</summary>
    public sealed record Conflict : EnqueueOutcome;
    public sealed record OverQuota(TimeSpan RetryAfter, int Limit) : EnqueueOutcome;
    public sealed record TooManyRecipients(int Count, int Limit) : EnqueueOutcome;
}

/// <summary>What cancel, reschedule and send-now did.</summary>
public enum ChangeStatus
{
    Changed,

    /// <summary>No such message.</summary>
    Missing,

    /// <summary>Cancel: the message is done or cancelled already.</summary>
    Final,

    /// <summary>Reschedule, send-now: the message is no longer scheduled.</summary>
    NotScheduled,
}

/// <summary>The outcome of cancel, reschedule and send-now: the new history, or why nothing changed (and the state it is in).</summary>
public sealed record ChangeOutcome(ChangeStatus Status, string? HistoryJson, string? State)
{
    public bool Changed => Status == ChangeStatus.Changed;
}

/// <summary>The API's side of the pipeline: each method is one atomic Lua script.</summary>
public sealed class MessageStore(IConnectionMultiplexer mux, AdaScripts scripts)
{
    public static readonly TimeSpan QuotaWindow = TimeSpan.FromHours(1);

    private IDatabase Db => mux.GetDatabase();

    private bool? _isCluster;

    /// <summary>
    /// True when Redis is a cluster: a message id must then hash to a due shard's slot, and queueing takes two
    /// scripts. Known once a server is connected, then kept.
    /// </summary>
    public bool IsCluster
    {
        get
        {
            if (_isCluster is { } known)
            {
                return known;
            }
            var connected = mux.GetServers().Where(s => s.IsConnected).ToList();
            var cluster = connected.Any(s => s.ServerType == ServerType.Cluster);
            if (connected.Count > 0)
            {
                _isCluster = cluster;
            }
            return cluster;
        }
    }

    /// <summary>
    /// One script on one node (<c>enqueue</c> takes the sender's quota too). On a Redis Cluster two, because a
    /// sender's keys and a message's keys live in different slots: the quota first (<c>quota_take</c>, the
    /// sender's slot), then the message and its due entry (<c>enqueue</c>, the message's slot). The recipient
    /// limit needs no Redis and is checked before either.
    /// </summary>
    public async Task<EnqueueOutcome> EnqueueAsync(EnqueueCommand command)
    {
        var h = command.History;
        if (command.RecipientsPerMessage > 0 && command.Recipients.Count > command.RecipientsPerMessage)
        {
            return new EnqueueOutcome.TooManyRecipients(command.Recipients.Count, command.RecipientsPerMessage);
        }
        var db = Db;
        var window = (long)QuotaWindow.TotalMilliseconds;
        var cluster = IsCluster;
        var createdAtMs = DateTimeOffset.Parse(h.CreatedAt, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        if (cluster)
        {
            var quota = (RedisResult[])(await scripts.RunAsync(db, Script.QuotaTake,
                [Keys.Quota(h.Sender), Keys.SenderHistory(h.Sender)], [h.Id, command.MessagesPerHour, window, createdAtMs]))!;
            if (quota[0].ToString() == "quota")
            {
                return new EnqueueOutcome.OverQuota(TimeSpan.FromMilliseconds((long)quota[1]), (int)quota[2]);
            }
        }

        RedisKey[] messageKeys =
            [Keys.History(h.Id), Keys.Delivery(h.Id), Keys.Recipients(h.Id), Keys.Answer(h.Id), Keys.DueFor(h.Id), Keys.MessagesFor(h.Id)];
        RedisKey[] keys = cluster ? messageKeys : [.. messageKeys, Keys.Quota(h.Sender), Keys.SenderHistory(h.Sender)];
        var args = new RedisValue[8 + command.Recipients.Count];
        args[0] = h.Id;
        args[1] = AdaJson.Serialize(h);
        args[2] = command.Fingerprint;
        args[3] = AnswerRecord(command.Fingerprint, command.AnswerJson);
        args[4] = h.DeliverAtMs;
        args[5] = command.MessagesPerHour;
        args[6] = window;
        args[7] = createdAtMs;
        for (var i = 0; i < command.Recipients.Count; i++)
        {
            args[8 + i] = command.Recipients[i];
        }
        var result = (RedisResult[])(await scripts.RunAsync(db, Script.Enqueue, keys, args))!;
        return result[0].ToString() switch
        {
            "ok" => new EnqueueOutcome.Accepted(),
            "duplicate" => new EnqueueOutcome.Duplicate(result[1].ToString()),
            "quota" => new EnqueueOutcome.OverQuota(TimeSpan.FromMilliseconds((long)result[1]), (int)result[2]),
            _ => new EnqueueOutcome.Conflict(),
        };
    }

    /// <summary>
    /// What <c>answer:{id}</c> holds, <c>{"fingerprint": …, "answer": "…"}</c>: written here as UTF-8 rather than by
    /// cjson inside the script, which held Redis's one thread for a pass over the escaped answer on every message.
    /// </summary>
    internal static byte[] AnswerRecord(string fingerprint, string answerJson)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(answerJson.Length + fingerprint.Length + 64);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("fingerprint", fingerprint);
            writer.WriteString("answer", answerJson);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public Task<ChangeOutcome> CancelAsync(string id, DateTimeOffset now) =>
        ChangeAsync(Script.Cancel, id, [id, AdaJson.Timestamp(now)]);

    public Task<ChangeOutcome> SendNowAsync(string id, DateTimeOffset now) =>
        ChangeAsync(Script.SendNow, id, [id, AdaJson.Timestamp(now)]);

    public Task<ChangeOutcome> RescheduleAsync(string id, DateTimeOffset deliverAt, Rescheduled? rescheduled) =>
        ChangeAsync(Script.Reschedule, id,
        [
            id, deliverAt.ToUnixTimeMilliseconds(), AdaJson.Timestamp(deliverAt),
            rescheduled is null ? "" : AdaJson.Serialize(rescheduled),
        ]);

    /// <summary>
    /// Replaces the waves of a message with waves that have not started (<c>lua/reschedule_waves.lua</c>): the
    /// <paramref name="started"/> waves the plan was made from stay, <paramref name="waves"/> follow them and
    /// <paramref name="recipients"/> (in wave order) replace the list after the started waves' recipients.
    /// <see cref="ChangeStatus.NotScheduled"/> when a wave started meanwhile or none is left to move.
    /// </summary>
    public async Task<ChangeOutcome> RescheduleWavesAsync(string id, int started, IReadOnlyList<Wave> waves,
        Rescheduled? rescheduled, IReadOnlyList<string> recipients)
    {
        var args = new RedisValue[4 + recipients.Count];
        args[0] = id;
        args[1] = started;
        args[2] = AdaJson.Serialize(waves);
        args[3] = rescheduled is null ? "" : AdaJson.Serialize(rescheduled);
        for (var i = 0; i < recipients.Count; i++)
        {
            args[4 + i] = recipients[i];
        }
        return await OutcomeAsync(id, Script.RescheduleWaves, (RedisResult[])(await scripts.RunAsync(Db, Script.RescheduleWaves,
            [Keys.History(id), Keys.Delivery(id), Keys.DueFor(id), Keys.Recipients(id)], args))!);
    }

    /// <summary>The recipients (user ids) in positions <paramref name="start"/> to <paramref name="end"/> (exclusive) of the snapshot.</summary>
    public async Task<IReadOnlyList<string>> RecipientsAsync(string id, long start, long end)
    {
        var ids = new List<string>();
        for (var from = start; from < end; from += 10_000)
        {
            var page = await Db.ListRangeAsync(Keys.Recipients(id), from, Math.Min(end, from + 10_000) - 1);
            ids.AddRange(page.Select(v => v.ToString()));
        }
        return ids;
    }

    public async Task<string?> GetHistoryJsonAsync(string id)
    {
        var value = await Db.StringGetAsync(Keys.History(id));
        return value.IsNull ? null : value.ToString();
    }

    public async Task<HistoryDocument?> GetHistoryAsync(string id) =>
        await GetHistoryJsonAsync(id) is { } json ? AdaJson.Deserialize<HistoryDocument>(json) : null;

    /// <summary>All receipts of a message, ordered by channel, then user id.</summary>
    public async Task<IReadOnlyList<Receipt>> GetReceiptsAsync(string id)
    {
        var entries = await Db.HashGetAllAsync(Keys.Receipts(id));
        return Sorted(entries.Select(e => e.Value.ToString()));
    }

    /// <summary>
    /// One page of a message's receipts, by Redis <c>HSCAN</c>: <paramref name="limit"/> is a hint (a page may hold a
    /// few more or fewer), a page is sorted within itself, and <c>NextCursor</c> is null after the last page. A
    /// receipt present from the first page to the last is returned at least once (HSCAN's guarantee).
    /// </summary>
    public async Task<(IReadOnlyList<Receipt> Receipts, string? NextCursor)> GetReceiptsPageAsync(
        string id, ulong cursor, int limit, string? channel = null)
    {
        // Fields are <channel>:<userId>: one channel's receipts are a MATCH away (channel names have no glob characters).
        object[] args = channel is null
            ? [Keys.Receipts(id), cursor, "COUNT", limit]
            : [Keys.Receipts(id), cursor, "MATCH", channel + ":*", "COUNT", limit];
        var reply = (RedisResult[])(await Db.ExecuteAsync("HSCAN", args))!;
        var next = (string)reply[0]!;
        var pairs = (RedisResult[])reply[1]!;
        // HSCAN answers field, value, field, value, …: the values are the receipts.
        return (Sorted(pairs.Where((_, i) => i % 2 == 1).Select(v => (string)v!)), next == "0" ? null : next);
    }

    /// <summary>Receipt documents, by channel, then user id.</summary>
    private static List<Receipt> Sorted(IEnumerable<string> json) =>
        [.. json.Select(j => AdaJson.Deserialize<Receipt>(j)!)
            .OrderBy(r => r.Channel, StringComparer.Ordinal)
            .ThenBy(r => r.UserId, StringComparer.Ordinal)];

    /// <summary>A sender's most recent message ids, newest first.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(string senderId, int limit)
    {
        var ids = await Db.SortedSetRangeByRankAsync(Keys.SenderHistory(senderId), 0, limit - 1, Order.Descending);
        return [.. ids.Select(v => v.ToString())];
    }

    /// <summary>
    /// A sender's message ids created in [<paramref name="fromMs"/>, <paramref name="toMs"/>) (Unix ms), newest first:
    /// those at or before <paramref name="atOrBeforeMs"/>, skipping the first <paramref name="skip"/> of them (the ones with
    /// that very score a previous page already gave), at most <paramref name="take"/>, with their scores.
    /// </summary>
    public Task<IReadOnlyList<(string Id, long CreatedMs)>> ListIdsPageAsync(
        string senderId, long fromMs, long toMs, long atOrBeforeMs, int skip, int take) =>
        ListPageAsync([Keys.SenderHistory(senderId)], fromMs, toMs, atOrBeforeMs, skip, take);

    /// <summary>
    /// <see cref="ListIdsPageAsync"/> over every sender's messages: the <see cref="Keys.Messages"/> shards merged, newest
    /// first; ids created in the same millisecond follow the shard order, then each shard's own, so a cursor of
    /// (that millisecond, how many of it were given) carries on where the previous page stopped.
    /// </summary>
    public Task<IReadOnlyList<(string Id, long CreatedMs)>> ListAllIdsPageAsync(
        long fromMs, long toMs, long atOrBeforeMs, int skip, int take) =>
        ListPageAsync(Keys.AllMessages, fromMs, toMs, atOrBeforeMs, skip, take);

    private async Task<IReadOnlyList<(string Id, long CreatedMs)>> ListPageAsync(
        IReadOnlyList<RedisKey> keys, long fromMs, long toMs, long atOrBeforeMs, int skip, int take)
    {
        var upTo = Math.Min(atOrBeforeMs, toMs - 1);
        if (upTo < fromMs)
        {
            return [];
        }
        if (keys.Count == 1)
        {
            var entries = await Db.SortedSetRangeByScoreWithScoresAsync(keys[0], fromMs, upTo, Exclude.None, Order.Descending, skip, take);
            return [.. entries.Select(e => (e.Element.ToString(), (long)e.Score))];
        }
        // Each shard gives its newest skip + take: enough for the merged page, whose first 'skip' all share the cursor's millisecond.
        var batch = Db.CreateBatch();
        var reads = keys.Select(key => batch.SortedSetRangeByScoreWithScoresAsync(key, fromMs, upTo, Exclude.None, Order.Descending, 0, skip + take))
            .ToList();
        batch.Execute();
        var shards = await Task.WhenAll(reads);
        return [.. shards
            .SelectMany((entries, shard) => entries.Select((e, rank) => (Id: e.Element.ToString(), CreatedMs: (long)e.Score, shard, rank)))
            .OrderByDescending(e => e.CreatedMs).ThenBy(e => e.shard).ThenBy(e => e.rank)
            .Skip(skip).Take(take)
            .Select(e => (e.Id, e.CreatedMs))];
    }

    /// <summary>The history documents of <paramref name="ids"/>, one per id (null where it is gone), in one round trip.</summary>
    public async Task<IReadOnlyList<string?>> GetHistoryJsonEachAsync(IReadOnlyList<string> ids)
    {
        // A batch, not MGET: on a cluster the ids live in different slots.
        var batch = Db.CreateBatch();
        var reads = ids.Select(id => batch.StringGetAsync(Keys.History(id))).ToList();
        batch.Execute();
        var values = await Task.WhenAll(reads);
        return [.. values.Select(v => v.IsNull ? null : v.ToString())];
    }

    public async Task<IReadOnlyList<string>> GetHistoryJsonManyAsync(IReadOnlyList<string> ids)
    {
        var batch = Db.CreateBatch();
        var reads = ids.Select(id => batch.StringGetAsync(Keys.History(id))).ToList();
        batch.Execute();
        var values = await Task.WhenAll(reads);
        return [.. values.Where(v => !v.IsNull).Select(v => v.ToString())];
    }

    private async Task<ChangeOutcome> ChangeAsync(Script script, string id, RedisValue[] args)
    {
        var result = (RedisResult[])(await scripts.RunAsync(Db, script,
            [Keys.History(id), Keys.Delivery(id), Keys.DueFor(id)], args))!;
        return await OutcomeAsync(id, script, result);
    }

    private async Task<ChangeOutcome> OutcomeAsync(string id, Script script, RedisResult[] result)
    {
        var status = result[0].ToString() switch
        {
            "ok" => ChangeStatus.Changed,
            "missing" => ChangeStatus.Missing,
            "final" => ChangeStatus.Final,
            "not_scheduled" => ChangeStatus.NotScheduled,
            var code => throw new InvalidOperationException($"The {script} script answered '{code}'."),
        };
        if (status == ChangeStatus.Changed)
        {
            // A status message of the bot that follows this message (if any) shows the change now, not at the old due time.
            await Db.SortedSetAddAsync(Keys.TelegramFollows, id, 0, SortedSetWhen.Exists | SortedSetWhen.LessThan);
        }
        return status == ChangeStatus.Changed
            ? new ChangeOutcome(status, result[1].ToString(), null)
            : new ChangeOutcome(status, null, result.Length > 1 ? result[1].ToString() : null);
    }
}
