using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ada.Core.Tests;

/// <summary>
/// The documents the Lua scripts write (history, receipts, users, schedules and their occurrences) are exactly what the C# records describe:
/// each script runs and what it wrote is read back with unmapped members disallowed, so a script that adds a
/// field the record lacks fails here (and the OpenAPI document, made from the records, stays true).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DocumentShapeTests(RedisServer redis)
{
    private static readonly JsonSerializerOptions Strict = new(AdaJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>What each script writes that C# reads back; the scripts that write no document say so.</summary>
    private static readonly Dictionary<Script, string> Writes = new()
    {
        [Script.Enqueue] = "history",
        [Script.Reschedule] = "history",
        [Script.RescheduleWaves] = "history",
        [Script.SendNow] = "history",
        [Script.Claim] = "history",
        [Script.Report] = "history, receipts",
        [Script.UpdateReceipt] = "history, receipts",
        [Script.Cancel] = "history",
        [Script.DeactivateContact] = "user",
        [Script.ActivateContact] = "user",
        [Script.LinkVk] = "user",
        [Script.LinkTelegram] = "user",
        [Script.ScheduleCreate] = "schedule",
        [Script.ScheduleAdvance] = "schedule, occurrences",
        [Script.ScheduleState] = "schedule",
        [Script.ScheduleDelete] = "none: deletes the schedule",
        [Script.Lease] = "none: the lease key",
        [Script.QuotaTake] = "none: sorted sets of ids",
        [Script.Renew] = "none: the claim's TTL",
        [Script.RateTake] = "none: a counter",
    };

    [Fact]
    public void EveryScript_IsAccountedFor() => Assert.Equal(Enum.GetValues<Script>().Order(), Writes.Keys.Order());

    [Fact]
    public void StrictReading_RefusesAFieldTheRecordLacks()
    {
        var json = AdaJson.Serialize(new Receipt("u1", Channels.Sms, ReceiptStatus.Sent))[..^1] + ",\"newField\":1}";
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Receipt>(json, Strict));
    }

    [Fact]
    public async Task MessageScripts_WriteOnlyWhatHistoryDocumentAndReceiptDescribe()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var messages = database.Messages;
        var couriers = new CourierStore(database.Mux, TestDatabase.Scripts);
        var now = DateTimeOffset.UtcNow;
        var history = Sample.History("t1", now.AddHours(1), 3, [Channels.Telegram, Channels.Sms]) with
        {
            RequestedAt = AdaJson.Timestamp(now),
            Rescheduled = new Rescheduled(AdaJson.Timestamp(now), "quiet-hours"),
            Segments = new Dictionary<string, int> { [Channels.Sms] = 1 },
            ShortId = "A7K2P",
        };
        var id = history.Id;
        Assert.IsType<EnqueueOutcome.Accepted>(await messages.EnqueueAsync(Sample.Command(history, ["u1", "u2", "u3"])));
        await AssertHistoryAsync(database, id);

        Assert.True((await messages.RescheduleAsync(id, now.AddHours(2), new Rescheduled(AdaJson.Timestamp(now), "quiet-hours"))).Changed);
        await AssertHistoryAsync(database, id);
        Assert.True((await messages.SendNowAsync(id, now)).Changed);
        await AssertHistoryAsync(database, id);

        foreach (var channel in new[] { Channels.Telegram, Channels.Sms })
        {
            Assert.Equal(ClaimStatus.Ok, (await couriers.ClaimAsync(id, channel, "a", TimeSpan.FromMinutes(1), now)).Status);
        }
        await AssertHistoryAsync(database, id);

        var at = AdaJson.Timestamp(now);
        await couriers.ReportAsync(id, Channels.Sms, "a",
        [
            new ReceiptWrite(new Receipt("u1", Channels.Sms, ReceiptStatus.Sent, ProviderMessageId: "p1", Attempts: 1, At: at)),
            new ReceiptWrite(new Receipt("u2", Channels.Sms, ReceiptStatus.Sent, ProviderMessageId: "p2", Attempts: 2, At: at)),
            new ReceiptWrite(new Receipt("u3", Channels.Sms, ReceiptStatus.Failed, Detail: "bad number", Attempts: 1, At: at), "bad_address"),
        ], final: true, now);
        await couriers.ReportAsync(id, Channels.Telegram, "a",
            [new ReceiptWrite(new Receipt("u1", Channels.Telegram, ReceiptStatus.NoContact, At: at))], final: true, now);
        Assert.Equal(ReceiptUpdate.Updated,
            await couriers.UpdateReceiptAsync(id, Channels.Sms, "u1", ReceiptStatus.Delivered, null, null, now));
        Assert.Equal(ReceiptUpdate.Updated,
            await couriers.UpdateReceiptAsync(id, Channels.Sms, "u2", ReceiptStatus.Failed, "not delivered", "undelivered", now));
        Assert.Equal(ReceiptUpdate.Unchanged,
            await couriers.UpdateReceiptAsync(id, Channels.Sms, "u1", ReceiptStatus.Failed, null, null, now));
        Assert.Equal(ReceiptUpdate.Missing,
            await couriers.UpdateReceiptAsync(id, Channels.Sms, "nobody", ReceiptStatus.Delivered, null, null, now));

        var done = await AssertHistoryAsync(database, id);
        Assert.Equal(MessageStates.Done, done.State);
        Assert.Equal((1, 1, 2), (done.Channels[Channels.Sms].Sent, done.Channels[Channels.Sms].Delivered, done.Channels[Channels.Sms].Failed));
        var receipts = await database.Db.HashGetAllAsync(Keys.Receipts(id));
        Assert.Equal(4, receipts.Length);
        var read = receipts.Select(r => JsonSerializer.Deserialize<Receipt>(r.Value.ToString(), Strict)!).ToDictionary(r => $"{r.Channel}:{r.UserId}");
        Assert.Equal(ReceiptStatus.Delivered, read["sms:u1"].Status);
        Assert.Equal(at, read["sms:u1"].ReportedAt);
        Assert.Equal("not delivered", read["sms:u2"].Detail);

        var other = await Sample.EnqueueAsync(database, now.AddHours(1), ["u1"]);
        Assert.True((await messages.CancelAsync(other.Id, now)).Changed);
        Assert.Equal(MessageStates.Cancelled, (await AssertHistoryAsync(database, other.Id)).State);
    }

    [Fact]
    public async Task WaveScripts_WriteOnlyWhatHistoryDocumentAndReceiptDescribe()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var messages = database.Messages;
        var couriers = new CourierStore(database.Mux, TestDatabase.Scripts);
        var now = DateTimeOffset.UtcNow;
        var later = now.AddHours(10);
        var history = Sample.History("t1", now, 2, [Channels.Telegram]) with
        {
            Channels = new Dictionary<string, ChannelSection> { [Channels.Telegram] = ChannelSection.New() with { Wave = 0 } },
            Waves =
            [
                new Wave(AdaJson.Timestamp(now), now.ToUnixTimeMilliseconds(), 1, MessageStates.Scheduled, [new WaveZone("Europe/Moscow", 1)]),
                new Wave(AdaJson.Timestamp(later), later.ToUnixTimeMilliseconds(), 1, MessageStates.Scheduled, [new WaveZone("Asia/Vladivostok", 1)],
                    new Rescheduled(AdaJson.Timestamp(now), "quiet-hours")),
            ],
        };
        var id = history.Id;
        Assert.IsType<EnqueueOutcome.Accepted>(await messages.EnqueueAsync(Sample.Command(history, ["u1", "u2"])));
        Assert.Equal(ClaimStatus.Ok, (await couriers.ClaimAsync(id, Channels.Telegram, "a", TimeSpan.FromMinutes(1), now)).Status);
        await AssertHistoryAsync(database, id);
        await couriers.ReportAsync(id, Channels.Telegram, "a",
            [new ReceiptWrite(new Receipt("u1", Channels.Telegram, ReceiptStatus.Sent, ProviderMessageId: "p1", Attempts: 1, At: AdaJson.Timestamp(now), Wave: 0))],
            final: true, now);
        var between = await AssertHistoryAsync(database, id);
        Assert.Equal(1, between.Channels[Channels.Telegram].Wave);
        Assert.Equal(ClaimStatus.NotDue, (await couriers.ClaimAsync(id, Channels.Telegram, "a", TimeSpan.FromMinutes(1), now)).Status);
        Wave[] moved = [new(AdaJson.Timestamp(later.AddHours(1)), later.AddHours(1).ToUnixTimeMilliseconds(), 1, MessageStates.Scheduled, [new("Asia/Vladivostok", 1)])];
        Assert.True((await messages.RescheduleWavesAsync(id, 1, moved, null, ["u2"])).Changed);
        await AssertHistoryAsync(database, id);
        Assert.True((await messages.CancelAsync(id, now)).Changed);
        Assert.Equal([MessageStates.Done, MessageStates.Cancelled], (await AssertHistoryAsync(database, id)).Waves!.Select(w => w.State));
        var receipt = (await database.Db.HashGetAsync(Keys.Receipts(id), "telegram:u1")).ToString();
        Assert.Equal(0, JsonSerializer.Deserialize<Receipt>(receipt, Strict)!.Wave);
    }

    [Fact]
    public async Task ContactScripts_WriteOnlyWhatUserDescribes()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var directory = new DirectoryStore(database.Mux, TestDatabase.Scripts);
        var vk = new VkDirectory(database.Mux, directory);
        var contacts = new Dictionary<string, string> { [Channels.Telegram] = "1001", [Channels.Vk] = "42" };
        await directory.PutUserAsync(new User("u1", "Ivan", Roles.Teacher, contacts, [], Languages.English, "Asia/Vladivostok"));
        await directory.PutUserAsync(new User("u2", "Petr", Roles.Student, new Dictionary<string, string>(), []));

        Assert.True(await directory.DeactivateContactAsync(Channels.Telegram, "u1", "1001"));
        Assert.Equal([Channels.Telegram], (await StrictUserAsync(database, "u1")).Inactive);
        Assert.True(await directory.ActivateContactAsync(Channels.Telegram, "u1", "1001"));
        Assert.Empty((await StrictUserAsync(database, "u1")).Inactive);

        var code = await new LinkCodeStore(database.Mux).IssueAsync("u2", TimeSpan.FromMinutes(5));
        Assert.Equal(LinkOutcome.Moved, (await vk.LinkAsync(code, "42")).Outcome);
        Assert.Equal("42", (await StrictUserAsync(database, "u2")).Contacts[Channels.Vk]);
        var moved = await StrictUserAsync(database, "u1");
        Assert.False(moved.Contacts.ContainsKey(Channels.Vk));
        Assert.Equal(Languages.English, moved.Language);
        Assert.Equal("Asia/Vladivostok", moved.TimeZone);
        Assert.Equal(["Asia/Vladivostok", null], await directory.ZonesAsync(["u1", "u2"]));

        var telegram = new TelegramDirectory(directory);
        var telegramCode = await new LinkCodeStore(database.Mux).IssueAsync("u2", TimeSpan.FromMinutes(5));
        Assert.Equal(LinkOutcome.Linked, (await telegram.LinkAsync(telegramCode, 2002)).Outcome);
        Assert.Equal("2002", (await StrictUserAsync(database, "u2")).Contacts[Channels.Telegram]);
    }

    [Fact]
    public async Task ScheduleScripts_WriteOnlyWhatScheduleAndOccurrenceDescribe()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = new ScheduleStore(database.Mux, TestDatabase.Scripts);
        var now = DateTimeOffset.UtcNow;
        var id = ScheduleIds.New("t1", TimeProvider.System);
        var first = now.AddHours(1);
        var definition = new ScheduleDefinition(id, "t1", "Пара перенесена", new Addressees(["u1"], ["g1"], []), "0 8 * * *",
            "Europe/Moscow", AdaJson.Timestamp(now), AdaJson.Timestamp(now.AddDays(30)), true, [Channels.Telegram],
            AdaJson.Timestamp(now));
        Assert.True(await store.CreateAsync(definition, first, now));
        Assert.Equal(AdaJson.Serialize(definition), AdaJson.Serialize((await AssertScheduleAsync(database, id)).Definition));

        Assert.True(await store.TryClaimAsync(id, "a", TimeSpan.FromSeconds(10)));
        var at = AdaJson.Timestamp(first);
        Assert.True(await store.AdvanceAsync(id, first.ToUnixTimeMilliseconds(), "a", first.AddDays(1),
        [
            new Occurrence(at, OccurrenceStatus.Queued, MessageId: "t1:1", DeliverAt: at, HandledAt: at),
            new Occurrence(at, OccurrenceStatus.Skipped, Reason: "late", HandledAt: at),
            new Occurrence(at, OccurrenceStatus.Refused, Reason: "over_quota", Detail: "The teacher limit …", Message: "Лимит …", HandledAt: at),
        ]));
        Assert.Equal(ScheduleStates.Active, (await AssertScheduleAsync(database, id)).State);
        var occurrences = await database.Db.ListRangeAsync(Keys.Occurrences(id));
        Assert.Equal(3, occurrences.Length);
        Assert.All(occurrences, o => JsonSerializer.Deserialize<Occurrence>(o.ToString(), Strict));

        Assert.Equal(ScheduleChange.Changed, (await store.PauseAsync(id)).Change);
        var paused = await AssertScheduleAsync(database, id);
        Assert.Equal((ScheduleStates.Paused, null), (paused.State, paused.NextMs));
        Assert.Equal(ScheduleChange.Changed, (await store.ResumeAsync(id, first.AddDays(2))).Change);
        Assert.Equal(ScheduleStates.Active, (await AssertScheduleAsync(database, id)).State);
        Assert.True(await store.TryClaimAsync(id, "a", TimeSpan.FromSeconds(10)));
        Assert.True(await store.AdvanceAsync(id, first.AddDays(2).ToUnixTimeMilliseconds(), "a", null, []));
        Assert.Equal(ScheduleStates.Ended, (await AssertScheduleAsync(database, id)).State);
    }

    /// <summary>The schedule hash holds exactly definition, state and next; the definition reads strictly.</summary>
    private static async Task<Schedule> AssertScheduleAsync(TestDatabase database, string id)
    {
        var fields = (await database.Db.HashGetAllAsync(Keys.Schedule(id))).ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
        Assert.Equal(["definition", "next", "state"], fields.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(fields["state"], new[] { ScheduleStates.Active, ScheduleStates.Paused, ScheduleStates.Ended });
        long? next = fields["next"] == "" ? null : long.Parse(fields["next"], System.Globalization.CultureInfo.InvariantCulture);
        return new Schedule(JsonSerializer.Deserialize<ScheduleDefinition>(fields["definition"], Strict)!, fields["state"], next);
    }

    private static async Task<HistoryDocument> AssertHistoryAsync(TestDatabase database, string id) =>
        JsonSerializer.Deserialize<HistoryDocument>(await database.RawHistoryAsync(id), Strict)!;

    private static async Task<User> StrictUserAsync(TestDatabase database, string id) =>
        JsonSerializer.Deserialize<User>((await database.Db.StringGetAsync(Keys.User(id))).ToString(), Strict)!;
}
