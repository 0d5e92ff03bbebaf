namespace Ada.Reliability.Tests;

/// <summary>Issue 5, fault 2: no courier of the channel is running when a message falls due; one starts 30 s later.</summary>
[Collection(RedisCollection.Name)]
public sealed class NoCourierWhenDueTests(RedisServer redis, ITestOutputHelper output)
{
    [Fact]
    public async Task NoCourierWhenDue_CourierStarting30sLater_DeliversIt()
    {
        await using var ada = await Stack.StartAsync(redis, output);
        var chats = await ada.ImportGroupAsync("g-absent", 20, chatBase: 2_000_000);

        // The only courier dies; its heartbeat stays fresh for 30 s, so the API still expects Telegram.
        ada.Couriers[0].Kill();
        const string text = "Consultation at 15:00 (nobody was listening)";
        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        var id = await ada.QueueAsync("g-absent", text, due);
        ada.Log($"courier killed; queued {id} due at +3 s");

        // The scenario itself: nothing runs for 30 s after the message falls due. Its keyspace event fires into
        // the void (nobody is subscribed) and nothing else can happen; the wait is the fault, not a guess.
        var waitUntil = due.AddSeconds(30);
        await Stack.DelayUntilAsync(waitUntil);
        Assert.Equal("scheduled", Stack.State(await ada.HistoryAsync(id)));
        Assert.Empty(await ada.InboxAsync(text));
        Assert.False(await ada.Db.KeyExistsAsync($"delivery:{{{id}}}"), "the order should have expired (its event was lost)");
        ada.Log("30 s after due: still scheduled, nothing sent, the delivery key expired unseen");

        var started = Stopwatch.StartNew();
        await ada.StartCourierAsync();
        var history = await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(30));
        var recovered = started.Elapsed;
        var duplicates = await ada.AssertDeliveredAsync(id, text, chats);
        ada.Log($"RESULT fault=no courier when due: delivered {chats.Count}/{chats.Count}, duplicates {duplicates}, " +
            $"done {recovered.TotalSeconds:0.0} s after the new courier was started ({(DateTimeOffset.UtcNow - due).TotalSeconds:0.0} s after due), " +
            $"receipts sent {Stack.Telegram(history)["sent"]}");
        Assert.Equal(0, duplicates);
    }
}
