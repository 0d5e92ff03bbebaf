namespace Ada.Reliability.Tests;

/// <summary>Issue 11: the only courier of a channel has been down longer than the heartbeat window when messages are queued.</summary>
[Collection(RedisCollection.Name)]
public sealed class CourierDownTests(RedisServer redis, ITestOutputHelper output)
{
    [Fact]
    public async Task OnlyCourierDown65s_QueueAccepted_ChannelWaits_DeliveredWhenItReturns_ExpiredOneIsNot()
    {
        await using var ada = await Stack.StartAsync(redis, output);
        var chats = await ada.ImportGroupAsync("g-down", 20, chatBase: 3_000_000);
        ada.Couriers[0].Kill();
        // The courier died 65 s ago: its last beat is that old (the state a 65 s wait leaves behind).
        var instance = (await ada.Db.SortedSetRangeByRankAsync("couriers:telegram")).Single();
        await ada.Db.SortedSetAddAsync("couriers:telegram", instance, DateTimeOffset.UtcNow.AddSeconds(-65).ToUnixTimeMilliseconds());
        ada.Log("courier SIGKILLed; its heartbeat set 65 s old");
        // The API reads the couriers' state at most once a second (CourierRegistry.AliveCacheFor): wait until it has seen the outage.
        await Eventually.WaitAsync(async () =>
            (await ada.Admin.GetFromJsonAsync<JsonArray>("/v1/channels"))!.Single(c => c!["name"]!.GetValue<string>() == "telegram")!["live"]!.GetValue<bool>(),
            live => !live, TimeSpan.FromSeconds(10), "the API to see the Telegram courier down");

        const string text = "Consultation moved to 16:00 (courier down)";
        using var queued = await ada.Admin.PostAsJsonAsync("/v1/queue", new { text, to = new { groups = new[] { "g-down" } } });
        var answer = JsonNode.Parse(await queued.Content.ReadAsStringAsync())!;
        Assert.True(queued.StatusCode == HttpStatusCode.Accepted, $"{(int)queued.StatusCode} {answer.ToJsonString()}");
        Assert.Equal("telegram", answer["waiting"]![0]!.GetValue<string>());
        var id = answer["id"]!.GetValue<string>();
        const string staleText = "The lecture in 20 minutes is moved (expires in 2 s)";
        var staleExpiresAt = DateTimeOffset.UtcNow.AddSeconds(2);
        using var stale = await ada.Admin.PostAsJsonAsync("/v1/queue", new
        {
            text = staleText, to = new { groups = new[] { "g-down" } },
            expiresAt = staleExpiresAt.ToString("O", CultureInfo.InvariantCulture),
        });
        Assert.Equal(HttpStatusCode.Accepted, stale.StatusCode);
        var staleId = JsonNode.Parse(await stale.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        Assert.Equal("courier", Stack.Telegram(await ada.HistoryAsync(id))["waitingFor"]!.GetValue<string>());

        // The outage is visible: the channels endpoint and the metric; the API stays ready.
        var channel = (await ada.Admin.GetFromJsonAsync<JsonArray>("/v1/channels"))!.Single(c => c!["name"]!.GetValue<string>() == "telegram")!;
        Assert.False(channel["live"]!.GetValue<bool>());
        Assert.Equal(0, channel["instances"]!.GetValue<int>());
        await Eventually.WaitAsync(() => Stack.MetricAsync(ada.Api!, "ada_channel_waiting_for_courier", "channel=\"telegram\""),
            v => v == 1, TimeSpan.FromSeconds(15), "the outage metric");
        using (var ready = await ada.Admin.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        // The scenario itself: the stale message's time passes while nobody can send it.
        await Stack.DelayUntilAsync(staleExpiresAt.AddMilliseconds(100));

        var returned = Stopwatch.StartNew();
        await ada.StartCourierAsync();
        var history = await ada.WaitFinalAsync(id, TimeSpan.FromSeconds(30));
        var deliveredAfter = returned.Elapsed;
        var duplicates = await ada.AssertDeliveredAsync(id, text, chats);
        Assert.Null(Stack.Telegram(history)["waitingFor"]);
        var staleHistory = await ada.WaitFinalAsync(staleId, TimeSpan.FromSeconds(30));
        Assert.Equal(20, Stack.Telegram(staleHistory)["expired"]!.GetValue<int>());
        Assert.Equal(0, Stack.Telegram(staleHistory)["sent"]!.GetValue<int>());
        Assert.Empty(await ada.InboxAsync(staleText));
        Assert.All(await ada.ReceiptsAsync(staleId), r => Assert.Equal("expired", r!["status"]!.GetValue<string>()));
        await Eventually.WaitAsync(() => Stack.MetricAsync(ada.Api!, "ada_channel_waiting_for_courier", "channel=\"telegram\""),
            v => v == 0, TimeSpan.FromSeconds(15), "the outage metric to clear");
        ada.Log($"RESULT fault=only courier down 65 s at queue time: 202, delivered {chats.Count}/{chats.Count} " +
            $"{deliveredAfter.TotalSeconds:0.0} s after the courier was started again, duplicates {duplicates}; " +
            $"the message that expired meanwhile: {Stack.Telegram(staleHistory)["expired"]} expired, 0 sent");
        Assert.Equal(0, duplicates);
    }
}
