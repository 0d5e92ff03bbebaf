namespace Ada.Reliability.Tests;

/// <summary>Issue 5, fault 7: a message cancelled while it is sending.</summary>
[Collection(RedisCollection.Name)]
public sealed class CancelWhileSendingTests(RedisServer redis, ITestOutputHelper output)
{
    private const int Recipients = 1000;
    private const int PerSecond = 50;

    [Fact]
    public async Task CancelledWhileSending_StopsWithinASecond_ReceiptsSayExactlyWhoGotIt()
    {
        // Paced: 1,000 people take 20 s, so the cancel lands in the middle.
        await using var ada = await Stack.StartAsync(redis, output, new StackOptions { MessagesPerSecond = PerSecond });
        var chats = await ada.ImportGroupAsync("g-cancel", Recipients, chatBase: 7_000_000);
        const string text = "Trip postponed (cancelled mid-send)";
        var id = await ada.QueueAsync("g-cancel", text);

        await Eventually.WaitAsync(ada.ProviderSentAsync, n => n >= 150, TimeSpan.FromSeconds(30), "sending to be under way");
        var cancelledAt = DateTimeOffset.UtcNow;
        using (var cancel = await ada.Admin.PostAsync($"/v1/queue/{id}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        var sinceCancel = Stopwatch.StartNew();
        ada.Log($"cancelled {id} with {await ada.ProviderSentAsync()} sent");

        var history = await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(10));
        var reported = sinceCancel.Elapsed;
        // The scenario: sending must have stopped; watch the inbox for a while longer to see that it does not grow.
        var settled = await ada.InboxAsync(text);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var inbox = await ada.InboxAsync(text);
        Assert.Equal(settled.Count, inbox.Count);

        var lastSend = (inbox.Max(m => m.AtUnixMs) - cancelledAt.ToUnixTimeMilliseconds()) / 1000.0;
        var receipts = await ada.ReceiptsAsync(id);
        var sent = receipts.Where(r => r!["status"]!.GetValue<string>() == "sent").ToList();
        var chatOf = await ada.ChatsOfAsync(sent.Select(r => r!["userId"]!.GetValue<string>()));
        var received = inbox.Select(m => m.ChatId).ToHashSet();

        ada.Log($"RESULT fault=cancel while sending: stopped {lastSend:0.00} s after the cancel (last message received), " +
            $"final report {reported.TotalSeconds:0.00} s after; inbox {inbox.Count}/{Recipients}, receipts sent {sent.Count}, " +
            $"history: {Stack.State(history)}, sent {Stack.Telegram(history)["sent"]}, receipts total {receipts.Count}");
        Assert.Equal("cancelled", Stack.State(history));
        Assert.Equal(inbox.Count, inbox.Select(m => m.ChatId).Distinct().Count());
        Assert.Equal(inbox.Count, sent.Count);
        Assert.Equal(inbox.Count, Stack.Telegram(history)["sent"]!.GetValue<int>());
        Assert.True(received.SetEquals(sent.Select(r => chatOf[r!["userId"]!.GetValue<string>()])), "the receipts name other people than the inbox");
        Assert.True(inbox.Count < Recipients, "the whole message went out: the cancel came too late to test anything");
        Assert.True(lastSend <= 1.5, $"sending went on {lastSend:0.00} s after the cancel");
    }
}
