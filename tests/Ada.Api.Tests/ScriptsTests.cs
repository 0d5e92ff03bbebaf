using Ada.Core;
using Ada.Core.Redis;
using Ada.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class ScriptsTests(RedisServer redis) : ApiTest(redis)
{
    /// <summary>Keys and arguments each script accepts without a Lua error (most answer "missing").</summary>
    private static (RedisKey[] Keys, RedisValue[] Args) Call(Script script)
    {
        const string id = "admin:1";
        const string now = "2025-01-01T00:00:00.000Z";
        return script switch
        {
            // Another id: the document it writes is no real history, which the other scripts would trip over.
            Script.Enqueue => ([Keys.History("admin:2"), Keys.Delivery("admin:2"), Keys.Recipients("admin:2"), Keys.Answer("admin:2"),
                Keys.DueFor("admin:2"), Keys.Quota("admin"), Keys.SenderHistory("admin")], ["admin:2", "{}", "fp", "{}", 0, 0, 3_600_000, 0, "u1"]),
            Script.Claim => ([Keys.History(id), Keys.Claim(id, "telegram")], ["telegram", "me", 1000, now]),
            Script.Renew => ([Keys.History(id), Keys.Claim(id, "telegram")], ["me", 1000]),
            Script.Report => ([Keys.History(id), Keys.Receipts(id), Keys.Claim(id, "telegram"), Keys.DueFor(id)], ["telegram", "me", "1", now, id]),
            Script.Cancel or Script.SendNow => ([Keys.History(id), Keys.Delivery(id), Keys.DueFor(id)], [id, now]),
            Script.Reschedule => ([Keys.History(id), Keys.Delivery(id), Keys.DueFor(id)], [id, 0, now, ""]),
            Script.RateTake => ([Keys.Rate("telegram")], [30, 30, 1]),
            Script.DeactivateContact => ([Keys.User("u1"), Keys.Contacts("telegram")], ["telegram", "u1", "1"]),
            _ => throw new ArgumentOutOfRangeException(nameof(script), script, "A new script needs a call here."),
        };
    }

    [Fact]
    public async Task EveryScript_SurvivesScriptFlush()
    {
        var scripts = App.Services.GetRequiredService<AdaScripts>();
        foreach (var script in Enum.GetValues<Script>())
        {
            var (keys, args) = Call(script);
            await scripts.RunAsync(App.Db, script, keys, args);
            await App.RedisServer.ScriptFlushAsync();
            var again = await scripts.RunAsync(App.Db, script, keys, args);
            Assert.False(again.IsNull && script != Script.Renew, $"{script} answered nothing after SCRIPT FLUSH");
        }
    }
}
