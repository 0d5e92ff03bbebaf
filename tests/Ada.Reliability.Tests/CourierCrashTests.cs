namespace Ada.Reliability.Tests;

/// <summary>
/// Issue 5, fault 1: a courier killed (SIGKILL) in the middle of a 5,000-recipient message. Issue 11: each send is on
/// record within milliseconds, so the kill repeats at most the requests in flight (Telegram:Concurrency, 16).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CourierCrashTests(RedisServer redis, ITestOutputHelper output)
{
    private const int Recipients = 5000;
    // Paced at 300 a second: the batch (about a second of sending) is 300 people, and the message takes ~17 s.
    private const int PerSecond = 300;
    private const int InFlight = 16;

    [Fact]
    public async Task CourierKilledMidMessage_NewInstanceFinishes_EveryoneGetsIt_DuplicatesAtMostTheRequestsInFlight()
    {
        await using var ada = await Stack.StartAsync(redis, output, new StackOptions { MessagesPerSecond = PerSecond });
        var chats = await ada.ImportGroupAsync("g-crash", Recipients, chatBase: 1_000_000);
        const string text = "Exam moved to Friday (crash test)";
        var id = await ada.QueueAsync("g-crash", text);
        ada.Log($"queued {id} to {Recipients}");

        var sentBeforeKill = await Eventually.WaitAsync(ada.ProviderSentAsync, n => n >= Recipients * 2 / 5,
            TimeSpan.FromSeconds(60), "the courier to be well into the message");
        ada.Couriers[0].Kill();
        var killed = Stopwatch.StartNew();
        var atKill = await ada.ProviderSentAsync();
        var receiptsAtKill = await ada.Db.HashLengthAsync($"receipts:{{{id}}}");
        ada.Log($"SIGKILL courier #1: provider had {atKill} (polled {sentBeforeKill} just before), receipts {receiptsAtKill}");

        await ada.StartCourierAsync();
        var started = killed.Elapsed;
        await Eventually.WaitAsync(ada.ProviderSentAsync, n => n > atKill, TimeSpan.FromSeconds(30), "the new courier to send");
        var resumed = killed.Elapsed;
        var history = await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(60));
        var done = killed.Elapsed;

        var duplicates = await ada.AssertDeliveredAsync(id, text, chats);
        var inbox = await ada.InboxAsync(text);
        ada.Log($"new courier started {started.TotalSeconds:0.0} s after the kill, first send {resumed.TotalSeconds:0.0} s, " +
            $"message done {done.TotalSeconds:0.0} s after the kill");
        ada.Log($"RESULT fault=courier SIGKILL: delivered {inbox.Select(m => m.ChatId).Distinct().Count()}/{Recipients}, " +
            $"inbox {inbox.Count}, duplicates {duplicates} (sends not yet on record; at most the {InFlight} requests in flight), " +
            $"receipts {Stack.Telegram(history)["sent"]} sent, recovered (first send) {resumed.TotalSeconds:0.0} s after the kill");
        Assert.InRange(duplicates, 0, InFlight);
    }
}
