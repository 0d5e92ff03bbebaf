using System.Security.Cryptography;
using System.Text;

namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class ScriptTests(RedisServer redis)
{
    [Fact]
    public async Task RunAsync_AfterScriptFlush_RunsEveryScriptAndLoadsItAgain()
    {
        await using var database = await TestDatabase.OpenAsync(redis, admin: true);
        var scripts = new AdaScripts();
        var server = database.Mux.GetServer(database.Mux.GetEndPoints()[0]);
        var history = Sample.History("t1", DateTimeOffset.UtcNow, 1, [Channels.Telegram]);
        var id = history.Id;
        var now = AdaJson.Timestamp(DateTimeOffset.UtcNow);
        var sid = ScheduleIds.New("t1", TimeProvider.System);
        var calls = new Dictionary<Script, (RedisKey[] Keys, RedisValue[] Args)>
        {
            [Script.QuotaTake] = ([Keys.Quota("t1"), Keys.SenderHistory("t1")], [id, 10, 3_600_000, 1_767_225_600_000]),
            [Script.Enqueue] = (
                [Keys.History(id), Keys.Delivery(id), Keys.Recipients(id), Keys.Answer(id), Keys.DueFor(id), Keys.MessagesFor(id)],
                [id, AdaJson.Serialize(history), "fp", "{}", history.DeliverAtMs, 10, 3_600_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "u1"]),
            [Script.Claim] = ([Keys.History(id), Keys.Claim(id, Channels.Telegram)], [Channels.Telegram, "a", 10_000, now]),
            [Script.Renew] = ([Keys.History(id), Keys.Claim(id, Channels.Telegram)], ["a", 10_000]),
            [Script.Report] = ([Keys.History(id), Keys.Receipts(id), Keys.Claim(id, Channels.Telegram), Keys.DueFor(id), Keys.Delivery(id)],
                [Channels.Telegram, "a", "1", now, id, "telegram:u1", "sent", "", "{}"]),
            [Script.Reschedule] = ([Keys.History(id), Keys.Delivery(id), Keys.DueFor(id)], [id, 1, now, ""]),
            [Script.SendNow] = ([Keys.History(id), Keys.Delivery(id), Keys.DueFor(id)], [id, now]),
            [Script.Cancel] = ([Keys.History(id), Keys.Delivery(id), Keys.DueFor(id)], [id, now]),
            [Script.RescheduleWaves] = ([Keys.History(id), Keys.Delivery(id), Keys.DueFor(id), Keys.Recipients(id)], [id, 0, "[]", ""]),
            [Script.RateTake] = ([Keys.Rate(Channels.Telegram)], [10, 10, 1]),
            [Script.DeactivateContact] = ([Keys.User("u1"), Keys.Contacts(Channels.Telegram)], [Channels.Telegram, "u1", "42"]),
            [Script.ActivateContact] = ([Keys.User("u1"), Keys.Contacts(Channels.Vk)], [Channels.Vk, "u1", "42"]),
            [Script.LinkVk] = ([Keys.LinkCode("ABCDEF"), Keys.User("u1"), Keys.AddressOwners(Channels.Vk), Keys.Contacts(Channels.Vk),
                Keys.User("u1"), Keys.VkAllowed], ["u1", "42", ""]),
            [Script.LinkTelegram] = ([Keys.LinkCode("abc"), Keys.User("u1"), Keys.AddressOwners(Channels.Telegram),
                Keys.Contacts(Channels.Telegram), Keys.User("u1")], ["u1", "42", ""]),
            [Script.Lease] = ([Keys.TelegramPoller], ["a", 1000]),
            [Script.UpdateReceipt] = ([Keys.History(id), Keys.Receipts(id)], [Channels.Sms, "u1", "delivered", "", "", now]),
            [Script.ScheduleCreate] = ([Keys.Schedule(sid), Keys.Delivery(sid), Keys.DueFor(sid)], [sid, "{}", 4_000_000_000_000]),
            [Script.ScheduleAdvance] = ([Keys.Schedule(sid), Keys.Occurrences(sid), Keys.Delivery(sid), Keys.DueFor(sid), Keys.ScheduleClaim(sid)],
                [sid, 4_000_000_000_000, "a", 4_000_000_060_000, 50, "{}"]),
            [Script.ScheduleState] = ([Keys.Schedule(sid), Keys.Delivery(sid), Keys.DueFor(sid)], [sid, "pause", ""]),
            [Script.ScheduleDelete] = ([Keys.Schedule(sid), Keys.Occurrences(sid), Keys.Delivery(sid), Keys.DueFor(sid), Keys.ScheduleClaim(sid)], [sid]),
        };
        Assert.Equal(Enum.GetValues<Script>().Order(), calls.Keys.Order());

        foreach (var (script, (keys, args)) in calls)
        {
            await server.ScriptFlushAsync();
            var sha = Sha1(scripts.Body(script));

            var result = await scripts.RunAsync(database.Db, script, keys, args);

            Assert.False(result.IsNull, $"{script} returned nothing");
            var exists = (RedisResult[])(await server.ExecuteAsync("SCRIPT", "EXISTS", sha))!;
            Assert.True((int)exists[0] == 1, $"{script} was not loaded again");
        }
        var final = (await database.Messages.GetHistoryAsync(id))!;
        Assert.Equal(MessageStates.Done, final.State);
    }

    private static string Sha1(string body)
    {
#pragma warning disable CA5350 // Redis names scripts by SHA-1.
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(body)));
#pragma warning restore CA5350
    }
}
