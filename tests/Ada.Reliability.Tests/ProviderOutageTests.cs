namespace Ada.Reliability.Tests;

/// <summary>
/// Issue 5, fault 6: the provider down for 20 s — first unreachable (connection refused: the courier's Bot API
/// address is a <see cref="TcpGate"/> with nothing listening), then answering 500 (the gate forwards to the
/// sandbox, whose fault API is set to error500), then back.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ProviderOutageTests(RedisServer redis, ITestOutputHelper output)
{
    private const int Students = 30;

    [Fact]
    public async Task ProviderRefusingThen500For20s_CourierBacksOffAndDeliversOnceBack_NothingMarkedSentEarly()
    {
        // The gate needs the sandbox's port and the courier the gate's address: the sandbox gets a port chosen here.
        var sandboxPort = Ports.Free();
        await using var gate = new TcpGate(sandboxPort);
        await using var ada = await Stack.StartAsync(redis, output, new StackOptions { ProviderUrl = gate.Address, SandboxPort = sandboxPort });
        var chats = await ada.ImportGroupAsync("g-outage", Students, chatBase: 6_000_000);

        const string text = "Lab cancelled (provider outage)";
        var id = await ada.QueueAsync("g-outage", text);
        var outage = Stopwatch.StartNew();
        var outageStart = DateTimeOffset.UtcNow;
        ada.Log($"queued {id} while the Bot API address refuses connections");

        await Eventually.WaitAsync(
            async () => await Stack.MetricAsync(ada.Couriers[0], "ada_provider_errors_total", "channel=\"telegram\""),
            errors => errors >= Students, TimeSpan.FromSeconds(10), "the courier to meet refused connections");
        await Stack.DelayUntilAsync(outageStart.AddSeconds(8));

        // Second half of the outage: reachable, but every request answers 500.
        using (var fault = await ada.SandboxHttp.PutAsJsonAsync("/sandbox/telegram/fault", new { mode = "error500" }))
        {
            fault.EnsureSuccessStatusCode();
        }
        gate.Open();
        ada.Log("gate open: the provider answers 500");
        await Eventually.WaitAsync(async () => (await ada.ProviderStatsAsync())["errors"]!.GetValue<int>() > 0,
            TimeSpan.FromSeconds(20), "the courier to get 500s");
        await Stack.DelayUntilAsync(outageStart.AddSeconds(20));

        // The outage's end: nothing may be marked sent yet, and nothing was received.
        var refusedAndFailed = await Stack.MetricAsync(ada.Couriers[0], "ada_provider_errors_total", "channel=\"telegram\"");
        var duringOutage = await ada.HistoryAsync(id);
        var receiptsDuring = await ada.ReceiptsAsync(id);
        var stats = await ada.ProviderStatsAsync();
        Assert.Equal(0, Stack.Telegram(duringOutage)["sent"]!.GetValue<int>());
        Assert.Equal(0, Stack.Telegram(duringOutage)["failed"]!.GetValue<int>());
        Assert.Empty(receiptsDuring);
        Assert.Empty(await ada.InboxAsync(text));
        using (var fault = await ada.SandboxHttp.PutAsJsonAsync("/sandbox/telegram/fault", new { mode = "none" }))
        {
            fault.EnsureSuccessStatusCode();
        }
        var back = DateTimeOffset.UtcNow;
        ada.Log($"provider back after {outage.Elapsed.TotalSeconds:0.0} s; courier saw {refusedAndFailed} transient errors, " +
            $"the sandbox answered {stats["errors"]} requests with 500; history during: {Stack.State(duringOutage)}, 0 sent, 0 receipts");

        var history = await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(60));
        var recovered = DateTimeOffset.UtcNow - back;
        var duplicates = await ada.AssertDeliveredAsync(id, text, chats);
        var receipts = await ada.ReceiptsAsync(id);
        var attempts = receipts.Select(r => r!["attempts"]!.GetValue<int>()).ToList();
        var sentAt = receipts.Select(r => DateTimeOffset.Parse(r!["at"]!.GetValue<string>(), CultureInfo.InvariantCulture)).ToList();
        var inbox = await ada.InboxAsync(text);
        ada.Log($"RESULT fault=provider down 20 s (refused ~8 s, then 500): delivered {inbox.Select(m => m.ChatId).Distinct().Count()}/{Students}, " +
            $"duplicates {duplicates}, done {recovered.TotalSeconds:0.0} s after the provider came back " +
            $"(first send {(inbox.Min(m => m.AtUnixMs) - back.ToUnixTimeMilliseconds()) / 1000.0:0.0} s after); " +
            $"attempts per receipt {attempts.Min()}-{attempts.Max()}; history sent {Stack.Telegram(history)["sent"]}, failed {Stack.Telegram(history)["failed"]}");
        Assert.Equal(0, duplicates);
        // The receipts tell the story: sent after the outage, on a later attempt.
        Assert.All(attempts, a => Assert.True(a >= 2, $"a receipt says {a} attempt(s)"));
        Assert.All(sentAt, at => Assert.True(at >= back.AddMilliseconds(-50), $"a receipt says sent at {at:O}, before the provider was back"));
    }
}
