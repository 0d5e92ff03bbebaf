namespace Ada.Reliability.Tests;

/// <summary>
/// Issue 5, fault 3: two, then three instances of one courier on the same messages. A message is claimed by one
/// instance per channel, so the work is shared message by message: each instance's own
/// <c>ada_recipients_total{channel="telegram",status="sent"}</c> shows its part.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ScaleOutTests(RedisServer redis, ITestOutputHelper output)
{
    private const int Students = 30;

    [Fact]
    public async Task TwoThenThreeInstances_EachRecipientGetsEachMessageOnce_AndEveryInstanceSends()
    {
        await using var ada = await Stack.StartAsync(redis, output, new StackOptions { Couriers = 2 });
        var chats = await ada.ImportGroupAsync("g-scale", Students, chatBase: 3_000_000);

        await RoundAsync(ada, chats, "two", messages: 40);
        await ada.StartCourierAsync();
        await RoundAsync(ada, chats, "three", messages: 60);
    }

    private static async Task RoundAsync(Stack ada, IReadOnlyList<string> chats, string round, int messages)
    {
        var couriers = ada.Couriers.ToList();
        var before = await Task.WhenAll(couriers.Select(Stack.SentMetricAsync));
        // All fall due at the same moment, so every instance hears every order at once and they race for the claims.
        // Queued side by side with a lead that a busy CI machine still meets (60 queued one by one took over 3 s there).
        var due = DateTimeOffset.UtcNow.AddSeconds(10);
        var ids = (await Task.WhenAll(Enumerable.Range(0, messages).Select(async i =>
        {
            var text = $"Round {round}, notice {i}";
            return (Id: await ada.QueueAsync("g-scale", text, due), Text: text);
        }))).ToList();
        Assert.True(DateTimeOffset.UtcNow < due, "queueing took longer than the lead time; the messages were not due together");
        foreach (var (id, _) in ids)
        {
            await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(60));
        }
        var after = await Task.WhenAll(couriers.Select(Stack.SentMetricAsync));
        var shares = after.Select((a, i) => (long)(a - before[i])).ToList();

        var inbox = (await ada.InboxAsync()).Where(m => m.Text.StartsWith($"Round {round},", StringComparison.Ordinal)).ToList();
        var duplicates = 0;
        foreach (var (id, text) in ids)
        {
            duplicates += await ada.AssertDeliveredAsync(id, text, chats, [.. inbox.Where(m => m.Text == text)]);
        }
        ada.Log($"RESULT fault={round} instances: {messages} messages x {Students} = {messages * Students} expected, inbox {inbox.Count}, " +
            $"duplicates {duplicates}, sent per instance (metrics) {string.Join(" / ", shares)}");
        Assert.Equal(0, duplicates);
        Assert.Equal(messages * Students, inbox.Count);
        Assert.Equal(messages * Students, shares.Sum());
        Assert.All(shares, share => Assert.True(share > 0, $"an instance sent nothing: {string.Join(" / ", shares)}"));
    }
}
