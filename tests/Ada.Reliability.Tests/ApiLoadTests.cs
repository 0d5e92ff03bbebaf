using System.Collections.Concurrent;

namespace Ada.Reliability.Tests;

/// <summary>
/// Issue 5, fault 8: the API under load — 64 clients queueing in a bounded loop for 30 s — while the courier is
/// restarted twice (SIGTERM, then SIGKILL). No request may lose data: every 202 is in the history and delivered.
/// Each client pauses 50 ms between requests (about 750 requests a second in all on two cores): the load is
/// bounded so the one courier can deliver it, and the test measures the faults, not an ever-growing backlog.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ApiLoadTests(RedisServer redis, ITestOutputHelper output)
{
    private const int Clients = 64;
    private const int Users = 256;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Think = TimeSpan.FromMilliseconds(50);

    private sealed record Accepted(string Id, string Text, string UserId);

    [Fact]
    public async Task ApiUnderLoad_WhileTheCourierRestarts_Every202IsInTheHistoryAndDelivered()
    {
        await using var ada = await Stack.StartAsync(redis, output);
        await ada.ImportGroupAsync("g-load", Users, chatBase: 8_000_000);

        var accepted = new ConcurrentBag<Accepted>();
        var refused = new ConcurrentDictionary<string, int>();
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var loadStart = DateTimeOffset.UtcNow;
        var load = Task.WhenAll(Enumerable.Range(0, Clients).Select(c => ClientAsync(ada, c, clock, accepted, refused, latencies)));

        // Restart the courier twice while the load runs: once politely, once as a crash.
        await Stack.DelayUntilAsync(loadStart.AddSeconds(15));
        ada.Log($"SIGTERM courier #{ada.Couriers.Count} at {clock.Elapsed.TotalSeconds:0.0} s ({accepted.Count} accepted so far)");
        // A courier stopping under this backlog releases the claim of every message it had started (hundreds), so it
        // gets the 90 s a service manager gives by default (systemd's TimeoutStopSec), not the usual 30 s; how long it
        // took is logged (docs/reliability.md).
        var stopping = Stopwatch.StartNew();
        var exit = await ada.Couriers[^1].StopAsync(TimeSpan.FromSeconds(90));
        ada.Log($"courier #{ada.Couriers.Count} stopped by SIGTERM (exit {exit}) at {clock.Elapsed.TotalSeconds:0.0} s, " +
            $"{stopping.Elapsed.TotalSeconds:0.0} s after the signal");
        await ada.StartCourierAsync();
        await Stack.DelayUntilAsync(loadStart.AddSeconds(40));
        ada.Couriers[^1].Kill();
        ada.Log($"courier #{ada.Couriers.Count} killed by SIGKILL at {clock.Elapsed.TotalSeconds:0.0} s");
        await ada.StartCourierAsync();
        await load;
        var loadTime = clock.Elapsed;
        ada.Log($"load over: {accepted.Count} accepted (202) in {loadTime.TotalSeconds:0.0} s, refused: " +
            $"{(refused.IsEmpty ? "none" : string.Join(", ", refused.Select(r => $"{r.Key} x{r.Value}")))}");

        // Every 202 is in the sender's history, with the text that was sent.
        var all = accepted.ToList();
        var inIndex = (await ada.Db.SortedSetRangeByRankAsync("sent:{admin}")).Select(v => v.ToString()).ToHashSet();
        Assert.All(all, a => Assert.Contains(a.Id, inIndex));
        var documents = await ada.Db.StringGetAsync([.. all.Select(a => (RedisKey)$"history:{{{a.Id}}}")]);
        for (var i = 0; i < all.Count; i++)
        {
            Assert.False(documents[i].IsNull, $"202 for {all[i].Id} but no history");
            Assert.Equal(all[i].Text, JsonNode.Parse(documents[i].ToString())!["text"]!.GetValue<string>());
        }

        // ... and delivered: done, one receipt, sent, and the chat got the text.
        var drained = Stopwatch.StartNew();
        await Eventually.WaitAsync(
            async () => (await ada.Db.StringGetAsync([.. all.Select(a => (RedisKey)$"history:{{{a.Id}}}")]))
                .Count(d => JsonNode.Parse(d.ToString())!["state"]!.GetValue<string>() != "done"),
            notDone => notDone == 0, TimeSpan.FromSeconds(120), "every accepted message to be delivered");
        var drainTime = drained.Elapsed;
        var inbox = await ada.InboxAsync();
        var received = inbox.GroupBy(m => (m.ChatId, m.Text)).ToDictionary(g => g.Key, g => g.Count());
        var chatOf = await ada.ChatsOfAsync(Enumerable.Range(1, Users).Select(i => $"g-load-s{i}"));
        var missing = all.Where(a => !received.ContainsKey((chatOf[a.UserId], a.Text))).ToList();
        var duplicates = received.Values.Sum(n => n - 1);
        var finals = await ada.Db.StringGetAsync([.. all.Select(a => (RedisKey)$"history:{{{a.Id}}}")]);
        var sentCounts = finals.Select(d => JsonNode.Parse(d.ToString())!["channels"]!["telegram"]!["sent"]!.GetValue<int>()).ToList();

        var ordered = latencies.Order().ToList();
        ada.Log($"RESULT fault=API load ({Clients} clients, {Duration.TotalSeconds:0} s) + courier SIGTERM and SIGKILL restarts: " +
            $"{all.Count} accepted ({all.Count / loadTime.TotalSeconds:0} per s), {refused.Values.Sum()} refused, " +
            $"p50 {Percentile(ordered, 0.5):0} ms, p99 {Percentile(ordered, 0.99):0} ms; in history {all.Count}/{all.Count}; " +
            $"delivered {all.Count - missing.Count}/{all.Count}, duplicates {duplicates}, drained {drainTime.TotalSeconds:0.0} s after the load");
        Assert.Empty(missing);
        Assert.All(sentCounts, n => Assert.Equal(1, n));
        Assert.True(inbox.Count == all.Count + duplicates, "the inbox holds messages nobody queued");
        // Only the SIGKILL may cost a duplicate (a send in flight when it died); the SIGTERM reported what it sent.
        Assert.InRange(duplicates, 0, 16);
        // The only refusal tolerated: 409 while no courier is alive (the API refuses what nobody would deliver). A stopping
        // courier now leaves its heartbeat to age out, so this is not expected any more (docs/reliability.md).
        Assert.All(refused.Keys, r => Assert.StartsWith("409 No courier is running", r, StringComparison.Ordinal));
    }

    private static async Task ClientAsync(Stack ada, int client, Stopwatch clock, ConcurrentBag<Accepted> accepted,
        ConcurrentDictionary<string, int> refused, ConcurrentBag<double> latencies)
    {
        for (var n = 0; clock.Elapsed < Duration; n++)
        {
            var userId = $"g-load-s{(client * 7 + n) % Users + 1}";
            var text = $"Load c{client} n{n}";
            var started = clock.Elapsed;
            try
            {
                using var response = await ada.Admin.PostAsJsonAsync("/v1/queue", new { text, to = new { users = new[] { userId } } });
                latencies.Add((clock.Elapsed - started).TotalMilliseconds);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var answer = await response.Content.ReadFromJsonAsync<JsonObject>();
                    accepted.Add(new Accepted(answer!["id"]!.GetValue<string>(), text, userId));
                }
                else
                {
                    var detail = (await response.Content.ReadFromJsonAsync<JsonObject>())?["detail"]?.GetValue<string>() ?? "";
                    refused.AddOrUpdate($"{(int)response.StatusCode} {detail}", 1, (_, v) => v + 1);
                }
            }
            catch (HttpRequestException e)
            {
                refused.AddOrUpdate(e.GetType().Name, 1, (_, v) => v + 1);
            }
            await Task.Delay(Think);
        }
    }

    private static double Percentile(List<double> ordered, double p) =>
        ordered.Count == 0 ? 0 : ordered[Math.Min(ordered.Count - 1, (int)(p * ordered.Count))];
}
