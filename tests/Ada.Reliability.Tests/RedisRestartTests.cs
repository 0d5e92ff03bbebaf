namespace Ada.Reliability.Tests;

/// <summary>
/// Issue 5, fault 4: Redis (AOF on, fsync always) killed and restarted on the same port and directory while
/// messages are scheduled and one is sending. It has a redis-server of its own: the restart would hit every test.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private const int Big = 1000;
    private const int PerSecond = 100;

    [Fact]
    public async Task RedisKilledAndRestarted_NothingScheduledLost_SendingOneCompletes_ScriptsAndSubscriptionsRecover()
    {
        var redis = new RedisServer();
        await redis.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        try
        {
            await RunAsync(redis);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private async Task RunAsync(RedisServer redis)
    {
        await using var ada = await Stack.StartAsync(redis, output, new StackOptions
        {
            // Paced: the big message takes ~10 s, so it is mid-send when Redis goes. A slower sweep, so the
            // messages due after the restart show whether the keyspace events (the subscription) came back.
            MessagesPerSecond = PerSecond,
            Courier = { ["Courier__SweepSeconds"] = "5" },
        });
        var bigChats = await ada.ImportGroupAsync("g-big", Big, chatBase: 4_000_000);
        var smallChats = await ada.ImportGroupAsync("g-small", 10, chatBase: 4_100_000);

        const string bigText = "Campus closed tomorrow (sending while Redis restarts)";
        var big = await ada.QueueAsync("g-big", bigText);
        var t0 = DateTimeOffset.UtcNow;
        // One falls due while Redis is down (its key expires with nobody to announce it), three well after.
        var whileDown = (Id: await ada.QueueAsync("g-small", "Due while Redis is down", t0.AddSeconds(4)), Text: "Due while Redis is down", Due: t0.AddSeconds(4));
        var later = new List<(string Id, string Text, DateTimeOffset Due)>();
        for (var i = 0; i < 3; i++)
        {
            var due = t0.AddSeconds(14 + i);
            var text = $"Due after the restart #{i}";
            later.Add((await ada.QueueAsync("g-small", text, due), text, due));
        }
        var keysBefore = await ada.Db.ExecuteAsync("DBSIZE");
        ada.Log($"queued {big} ({Big} people at {PerSecond}/s) and 4 scheduled; {keysBefore} keys");

        await Eventually.WaitAsync(ada.ProviderSentAsync, n => n >= 150, TimeSpan.FromSeconds(30), "the big message to be sending");
        var sentAtKill = await ada.ProviderSentAsync();
        await redis.StopAsync(graceful: false);
        var down = Stopwatch.StartNew();
        ada.Log($"SIGKILL redis-server with {sentAtKill} sent");

        // The scenario: Redis stays down past the due time of one message (and past the 3 s lease of the claim).
        await Stack.DelayUntilAsync(whileDown.Due.AddSeconds(1));
        // Restarted without keyspace events in its arguments: a restarted Redis forgets a CONFIG SET; the services set them again.
        await redis.StartAgainAsync("--notify-keyspace-events", "");
        var downFor = down.Elapsed;
        var restarted = Stopwatch.StartNew();
        ada.Log($"redis-server restarted on port {redis.Port} after {downFor.TotalSeconds:0.0} s down");

        await using (var probe = await ConnectionMultiplexer.ConnectAsync($"{redis.Host}:{redis.Port},allowAdmin=true"))
        {
            var server = probe.GetServer(redis.Host, redis.Port);
            // A restarted Redis starts with an empty script cache; the services may have reloaded theirs (NOSCRIPT →
            // EVAL) before this probe looks, so the count is logged, not asserted.
            var scriptsAfterRestart = ScriptCount(await server.InfoAsync("memory"));
            ada.Log($"scripts cached when first probed after the restart: {scriptsAfterRestart}");
            Assert.True((long)await probe.GetDatabase(ada.Database).ExecuteAsync("DBSIZE") >= (long)keysBefore - 2,
                "the AOF should have brought every key back");

            await Eventually.WaitAsync(async () => (await server.ConfigGetAsync("notify-keyspace-events")).FirstOrDefault().Value ?? "",
                flags => "KEg$x".All(flags.Contains), TimeSpan.FromSeconds(20), "the services to turn keyspace events on again");
            var eventsBack = restarted.Elapsed;

            var bigHistory = await ada.WaitFinalAsync(big, TimeSpan.FromSeconds(60));
            var bigDone = restarted.Elapsed;
            var downHistory = await ada.WaitFinalAsync(whileDown.Id, TimeSpan.FromSeconds(30));
            var lags = new List<double>();
            foreach (var (id, _, due) in later)
            {
                await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(30));
                lags.Add(await FirstSendLagAsync(ada, id, due));
            }
            var scripts = ScriptCount(await server.InfoAsync("memory"));
            var numsub = (RedisResult[])(await probe.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", $"__keyevent@{ada.Database}__:expired"))!;
            var subscribers = (long)numsub[1];

            var bigDuplicates = await ada.AssertDeliveredAsync(big, bigText, bigChats);
            var downDuplicates = await ada.AssertDeliveredAsync(whileDown.Id, whileDown.Text, smallChats);
            var laterDuplicates = 0;
            foreach (var (id, text, _) in later)
            {
                laterDuplicates += await ada.AssertDeliveredAsync(id, text, smallChats);
            }
            var downLag = await FirstSendLagAsync(ada, whileDown.Id, whileDown.Due);
            ada.LogServiceOutput(ada.Couriers[0]);
            ada.Log($"keyspace events back {eventsBack.TotalSeconds:0.0} s after the restart; scripts cached after: {scripts}; " +
                $"expired subscribers: {subscribers}");
            ada.Log($"RESULT fault=redis SIGKILL+restart (AOF, {downFor.TotalSeconds:0.0} s down): big message delivered {Big}/{Big}, " +
                $"duplicates {bigDuplicates}, done {bigDone.TotalSeconds:0.0} s after the restart; due-while-down delivered " +
                $"{downLag:0.0} s after its due time, duplicates {downDuplicates}; due-after delivered with lags " +
                $"{string.Join(", ", lags.Select(l => l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))} s, duplicates {laterDuplicates}; " +
                $"receipts {Stack.Telegram(bigHistory)["sent"]} + {Stack.Telegram(downHistory)["sent"]}");
            // The courier never died: everything it sent was reported once Redis was back (the report waits for Redis).
            Assert.Equal(0, bigDuplicates);
            Assert.Equal(0, downDuplicates + laterDuplicates);
            Assert.True(scripts > 0, "the scripts should have been loaded again after NOSCRIPT");
            Assert.True(subscribers >= 1, "the courier should be subscribed to expired events again");
            // Due after the restart: found by the touch loop and announced by a keyspace event, not by the 5 s sweep.
            Assert.All(lags, lag => Assert.True(lag < 2, $"lag {lag:0.00} s: the event path did not recover"));
        }
    }

    private static async Task<double> FirstSendLagAsync(Stack ada, string id, DateTimeOffset due)
    {
        var history = await ada.HistoryAsync(id);
        var first = (await ada.InboxAsync(history["text"]!.GetValue<string>())).Min(m => m.AtUnixMs);
        return (first - due.ToUnixTimeMilliseconds()) / 1000.0;
    }

    private static int ScriptCount(IGrouping<string, KeyValuePair<string, string>>[] info) =>
        int.Parse(info.SelectMany(g => g).First(p => p.Key == "number_of_cached_scripts").Value, System.Globalization.CultureInfo.InvariantCulture);
}
