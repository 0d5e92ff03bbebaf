using System.Text.Json;

namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class EnqueueTests(RedisServer redis)
{
    [Fact]
    public async Task Enqueue_ForLater_WritesEveryKeyOfTheMessage()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var deliverAt = DateTimeOffset.UtcNow.AddMinutes(5);
        var recipients = Sample.Users(2_345);
        var history = Sample.History("t1", deliverAt, recipients.Count);
        var command = Sample.Command(history, recipients, messagesPerHour: 10, recipientsPerMessage: 10_000);

        var outcome = await database.Messages.EnqueueAsync(command);

        Assert.IsType<EnqueueOutcome.Accepted>(outcome);
        var db = database.Db;
        Assert.Equal(AdaJson.Serialize(history), await database.RawHistoryAsync(history.Id));
        using (var answer = JsonDocument.Parse((await db.StringGetAsync(Keys.Answer(history.Id))).ToString()))
        {
            Assert.Equal("fp-1", answer.RootElement.GetProperty("fingerprint").GetString());
            Assert.Equal(command.AnswerJson, answer.RootElement.GetProperty("answer").GetString());
        }
        var stored = await db.ListRangeAsync(Keys.Recipients(history.Id));
        Assert.Equal(recipients, stored.Select(v => v.ToString()));
        Assert.Equal([Keys.DueShardOf(history.Id)], await database.DueShardsHoldingAsync(history.Id));
        Assert.Equal(deliverAt.ToUnixTimeMilliseconds(), await db.SortedSetScoreAsync(Keys.DueFor(history.Id), history.Id));
        Assert.NotNull(await db.SortedSetScoreAsync(Keys.SenderHistory("t1"), history.Id));
        Assert.Equal(await db.SortedSetScoreAsync(Keys.SenderHistory("t1"), history.Id),
            await db.SortedSetScoreAsync(Keys.MessagesFor(history.Id), history.Id));
        Assert.NotNull(await db.SortedSetScoreAsync(Keys.Quota("t1"), history.Id));
        Assert.InRange((await db.KeyTimeToLiveAsync(Keys.Quota("t1")))!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Equal(deliverAt.ToUnixTimeMilliseconds(), await database.ExpireTimeMsAsync(Keys.Delivery(history.Id)));
        Assert.Equal(history.Id, await db.StringGetAsync(Keys.Delivery(history.Id)));
    }

    [Fact]
    public async Task Enqueue_WithoutQuota_LeavesNoQuotaLog()
    {
        await using var database = await TestDatabase.OpenAsync(redis);

        await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddMinutes(1), ["u1"]);

        Assert.False(await database.Db.KeyExistsAsync(Keys.Quota("t1")));
    }

    [Fact]
    public async Task Enqueue_DueNow_AnnouncesDeleteOfDeliveryKey()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var deleted = await KeyEventLog.SubscribeAsync(database, "del");
        var later = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddMinutes(1), ["u1"]);

        var now = await Sample.EnqueueAsync(database, DateTimeOffset.UtcNow.AddMilliseconds(-1), ["u1"]);

        await deleted.WaitForAsync(Keys.Delivery(now.Id), TimeSpan.FromSeconds(5));
        // Events of one connection arrive in order: the message for later would have been announced first.
        Assert.False(deleted.Saw(Keys.Delivery(later.Id)));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Delivery(now.Id)));
        Assert.True(await database.Db.KeyExistsAsync(Keys.Delivery(later.Id)));
        Assert.NotNull(await database.Db.SortedSetScoreAsync(Keys.DueFor(now.Id), now.Id));
    }

    [Fact]
    public async Task Enqueue_SameIdSameFingerprint_ReturnsFirstAnswerAndWritesNothing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(1), 2);
        var first = Sample.Command(history, ["u1", "u2"], messagesPerHour: 10);
        await database.Messages.EnqueueAsync(first);
        var before = await SnapshotAsync(database, history.Id);

        var again = await database.Messages.EnqueueAsync(first with
        {
            History = history with { Text = "changed" },
            AnswerJson = """{"other":true}""",
            Recipients = ["u3"],
        });

        Assert.Equal(first.AnswerJson, Assert.IsType<EnqueueOutcome.Duplicate>(again).AnswerJson);
        Assert.Equal(before, await SnapshotAsync(database, history.Id));
    }

    [Fact]
    public async Task Enqueue_SameIdSameFingerprint_ReturnsAnAnswerWithEscapesUnchanged()
    {
        // The answer record is written by C# (Utf8JsonWriter) and read back by cjson in the script: every escape must survive.
        await using var database = await TestDatabase.OpenAsync(redis);
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(1), 1);
        const string answer = """{"id":"a/b","note":"\"Перенос\" <пары> & 'зал' \\ 10:00 \u0001 😀","recipients":1}""";
        var command = Sample.Command(history, ["u1"], fingerprint: "fp-\"Ж\"") with { AnswerJson = answer };
        Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(command));

        var again = await database.Messages.EnqueueAsync(command with { AnswerJson = "{}" });

        Assert.Equal(answer, Assert.IsType<EnqueueOutcome.Duplicate>(again).AnswerJson);
        Assert.IsType<EnqueueOutcome.Conflict>(await database.Messages.EnqueueAsync(command with { Fingerprint = "fp-Ж" }));
    }

    [Fact]
    public async Task Enqueue_SameIdOtherFingerprint_ConflictsAndWritesNothing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(1), 2);
        await database.Messages.EnqueueAsync(Sample.Command(history, ["u1", "u2"], messagesPerHour: 10));
        var before = await SnapshotAsync(database, history.Id);

        var again = await database.Messages.EnqueueAsync(
            Sample.Command(history with { Text = "other" }, ["u3"], fingerprint: "fp-2", messagesPerHour: 10));

        Assert.IsType<EnqueueOutcome.Conflict>(again);
        Assert.Equal(before, await SnapshotAsync(database, history.Id));
    }

    [Fact]
    public async Task Enqueue_OverQuota_RefusesWithRetryAfterAndWritesNothing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        for (var i = 0; i < 2; i++)
        {
            var ok = Sample.History("t1", DateTimeOffset.UtcNow.AddMinutes(1), 1);
            Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(Sample.Command(ok, ["u1"], messagesPerHour: 2)));
        }
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddMilliseconds(-1), 2);

        var outcome = await database.Messages.EnqueueAsync(Sample.Command(history, ["u1", "u2"], messagesPerHour: 2));

        var quota = Assert.IsType<EnqueueOutcome.OverQuota>(outcome);
        Assert.Equal(2, quota.Limit);
        Assert.InRange(quota.RetryAfter, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        await AssertNothingWrittenAsync(database, history.Id);
        Assert.Equal(2, await database.Db.SortedSetLengthAsync(Keys.SenderHistory("t1")));
        Assert.Equal(2, await database.Db.SortedSetLengthAsync(Keys.Quota("t1")));
    }

    [Fact]
    public async Task Enqueue_TooManyRecipients_RefusesAndWritesNothing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var history = Sample.History("t1", DateTimeOffset.UtcNow.AddMilliseconds(-1), 4);

        var outcome = await database.Messages.EnqueueAsync(
            Sample.Command(history, Sample.Users(4), messagesPerHour: 10, recipientsPerMessage: 3));

        Assert.Equal(new EnqueueOutcome.TooManyRecipients(4, 3), outcome);
        await AssertNothingWrittenAsync(database, history.Id);
        Assert.False(await database.Db.KeyExistsAsync(Keys.SenderHistory("t1")));
        Assert.False(await database.Db.KeyExistsAsync(Keys.Quota("t1")));
    }

    [Fact]
    public async Task ListAllIds_MergesEverySendersMessages_NewestFirst_AndPagesAcrossTiesWithoutLossOrRepeat()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var queued = new List<string>();
        foreach (var sender in new[] { "t1", "t2", "s1", "t1", "t2", "t3" })
        {
            var history = Sample.History(sender, DateTimeOffset.UtcNow.AddMinutes(5), 1);
            Assert.IsType<EnqueueOutcome.Accepted>(await database.Messages.EnqueueAsync(Sample.Command(history, ["u1"])));
            queued.Add(history.Id);
        }
        // Many messages of one millisecond across the shards: the cursor's skip must carry on inside that millisecond.
        var tied = Enumerable.Range(0, 40).Select(i => Sample.History("t9", DateTimeOffset.UtcNow.AddMinutes(5), 1).Id).ToList();
        foreach (var id in tied)
        {
            await database.Db.SortedSetAddAsync(Keys.MessagesFor(id), id, 1_000);
        }
        var seen = new List<(string Id, long CreatedMs)>();
        var (atOrBefore, skip) = (long.MaxValue, 0);
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await database.Messages.ListAllIdsPageAsync(0, long.MaxValue, atOrBefore, skip, 7);
            foreach (var entry in page)
            {
                (atOrBefore, skip) = entry.CreatedMs == atOrBefore ? (atOrBefore, skip + 1) : (entry.CreatedMs, 1);
            }
            seen.AddRange(page);
            if (page.Count < 7)
            {
                break;
            }
        }

        Assert.Equal(queued.Count + tied.Count, seen.Count);
        Assert.Equal(seen.Count, seen.Select(s => s.Id).Distinct().Count());
        Assert.Equal(queued.Order(), seen.Take(queued.Count).Select(s => s.Id).Order());
        Assert.Equal(tied.Order(), seen.Skip(queued.Count).Select(s => s.Id).Order());
        Assert.True(seen.Select(s => s.CreatedMs).SequenceEqual(seen.Select(s => s.CreatedMs).OrderDescending()));
    }

    private static async Task AssertNothingWrittenAsync(TestDatabase database, string id)
    {
        var db = database.Db;
        Assert.False(await db.KeyExistsAsync(Keys.History(id)));
        Assert.False(await db.KeyExistsAsync(Keys.Answer(id)));
        Assert.False(await db.KeyExistsAsync(Keys.Recipients(id)));
        Assert.False(await db.KeyExistsAsync(Keys.Delivery(id)));
        Assert.Empty(await database.DueShardsHoldingAsync(id));
        Assert.Null(await db.SortedSetScoreAsync(Keys.SenderHistory("t1"), id));
        Assert.Null(await db.SortedSetScoreAsync(Keys.MessagesFor(id), id));
    }

    /// <summary>Every key of one message and of its sender, as text, to compare before and after.</summary>
    private static async Task<string> SnapshotAsync(TestDatabase database, string id)
    {
        var db = database.Db;
        var parts = new List<string>
        {
            (await db.StringGetAsync(Keys.History(id))).ToString(),
            (await db.StringGetAsync(Keys.Answer(id))).ToString(),
            string.Join(',', await db.ListRangeAsync(Keys.Recipients(id))),
            (await database.ExpireTimeMsAsync(Keys.Delivery(id))).ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join(',', await database.DueShardsHoldingAsync(id)),
            string.Join(',', await db.SortedSetRangeByRankWithScoresAsync(Keys.SenderHistory("t1"))),
            string.Join(',', await db.SortedSetRangeByRankWithScoresAsync(Keys.MessagesFor(id))),
            string.Join(',', await db.SortedSetRangeByRankWithScoresAsync(Keys.Quota("t1"))),
        };
        return string.Join('\n', parts);
    }
}
