namespace Ada.Reliability.Tests;

/// <summary>Issue 5, fault 5: the courier's pub/sub connection killed just before messages fall due.</summary>
[Collection(RedisCollection.Name)]
public sealed class PubSubLossTests(RedisServer redis, ITestOutputHelper output)
{
    private const int SweepSeconds = 2;

    [Fact]
    public async Task PubSubConnectionKilledJustBeforeDue_MessagesStillDeliveredWithinTheSweepInterval()
    {
        await using var ada = await Stack.StartAsync(redis, output, new StackOptions
        {
            Courier = { ["Courier__SweepSeconds"] = SweepSeconds.ToString(CultureInfo.InvariantCulture) },
        });
        var chats = await ada.ImportGroupAsync("g-pubsub", 10, chatBase: 5_000_000);
        var server = ada.Mux.GetServer(redis.Host, redis.Port);

        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        var messages = new List<(string Id, string Text)>();
        for (var i = 0; i < 5; i++)
        {
            var text = $"Room change #{i} (events lost)";
            messages.Add((await ada.QueueAsync("g-pubsub", text, due), text));
        }

        // Kill every pub/sub connection 300 ms before due, and keep killing each reconnect until 500 ms after it:
        // the keyspace events of these orders fire while the courier is not subscribed, and are gone.
        await Stack.DelayUntilAsync(due.AddMilliseconds(-300));
        long kills = 0;
        var stormEnds = due.AddMilliseconds(500);
        while (DateTimeOffset.UtcNow < stormEnds)
        {
            kills += (long)await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
            await Task.Delay(10);
        }
        ada.Log($"killed {kills} pub/sub connections from due-0.3 s to due+0.5 s");

        var lags = new List<double>();
        foreach (var (id, text) in messages)
        {
            await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(30));
            Assert.Equal(0, await ada.AssertDeliveredAsync(id, text, chats));
            lags.Add(((await ada.InboxAsync(text)).Min(m => m.AtUnixMs) - due.ToUnixTimeMilliseconds()) / 1000.0);
        }

        // The subscription is back by itself: the courier is subscribed again, and a new order is announced at once.
        // StackExchange.Redis resubscribes in the background after its reconnect: wait for it, with a deadline.
        var subscribers = await Eventually.WaitAsync(
            async () => (long)((RedisResult[])(await server.ExecuteAsync("PUBSUB", "NUMSUB", $"__keyevent@{ada.Database}__:expired"))!)[1],
            n => n >= 1, TimeSpan.FromSeconds(15), "the courier to subscribe to expired events again");
        var afterDue = DateTimeOffset.UtcNow.AddSeconds(1.5);
        const string afterText = "After the storm";
        var after = await ada.QueueAsync("g-pubsub", afterText, afterDue);
        await ada.WaitFinalAsync(after, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await ada.AssertDeliveredAsync(after, afterText, chats));
        var afterLag = ((await ada.InboxAsync(afterText)).Min(m => m.AtUnixMs) - afterDue.ToUnixTimeMilliseconds()) / 1000.0;

        var resubscribed = ada.Couriers[0].Output.Split('\n').Count(l => l.Contains("Subscription restored", StringComparison.Ordinal));
        ada.Log($"the courier logged {resubscribed} subscription reconnects, each followed by a sweep of the due index");
        ada.Log($"RESULT fault=pub/sub connection killed ({kills} kills): delivered {messages.Count}x{chats.Count}, duplicates 0, " +
            $"first send after due: {string.Join(", ", lags.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)))} s " +
            $"(sweep every {SweepSeconds} s); expired subscribers afterwards {subscribers}; next message {afterLag:0.00} s after due");
        Assert.True(kills > 0, "no pub/sub connection was killed");
        Assert.All(lags, lag => Assert.True(lag <= SweepSeconds + 1.5, $"lag {lag:0.00} s is beyond the sweep interval"));
        Assert.True(subscribers >= 1, "the courier should have subscribed again");
    }
}
