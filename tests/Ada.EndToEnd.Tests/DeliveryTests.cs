namespace Ada.EndToEnd.Tests;

/// <summary>Runs on one redis-server (<see cref="OnRedis"/>) and on a 3-primary Redis Cluster (<see cref="OnCluster"/>).</summary>
public abstract class DeliveryTests(IRedisEndpoint redis)
{
    [Fact]
    public async Task GroupMessage_WithOneSecondDelay_ReachesEveryStudentWithTelegramOnce()
    {
        await using var ada = await AdaStack.StartAsync(redis);
        var students = Enumerable.Range(1, 24).Select(i => new
        {
            id = $"s{i:00}",
            name = $"Student {i}",
            role = "student",
            // Every fourth student has no Telegram: only SMS, or nothing at all.
            contacts = i % 4 == 0
                ? (object)(i % 8 == 0 ? new { } : new { sms = $"+7999000{i:0000}" })
                : new { telegram = $"{700000 + i}" },
        }).ToList();
        var import = await ada.Admin.PostAsJsonAsync("/v1/import", new
        {
            users = students.Cast<object>().Append(new { id = "t.lee", name = "Teacher Lee", role = "teacher", contacts = new { } }),
            groups = new[] { new { id = "ivt-21", name = "IVT-21", members = students.Select(s => s.id), owners = new[] { "t.lee" } } },
        });
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        using var teacher = ada.Client(await ada.TokenForAsync("t.lee"));

        var key = await (await teacher.PostAsync("/v1/history-key", null)).Content.ReadFromJsonAsync<JsonObject>();
        var id = key!["id"]!.GetValue<string>();
        var opened = new TaskCompletionSource();
        var tracking = AdaStack.ReadEventsAsync(teacher, $"/v1/history/{id}/events?timeout=60", opened);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var queued = await teacher.PostAsJsonAsync("/v1/queue", new
        {
            id,
            text = "Lecture moved to room 305",
            to = new { groups = new[] { "ivt-21" } },
            sendAt = DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"),
        });
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var answer = await queued.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(24, answer!["recipients"]!.GetValue<int>());

        var events = await tracking.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("snapshot", events[0].Event);
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("complete", AdaStack.Parse(events[^1].Data)["reason"]!.GetValue<string>());
        Assert.Contains(events, e => e.Event == "update");

        var withTelegram = students.Where((_, i) => (i + 1) % 4 != 0).Select(s => $"{700000 + int.Parse(s.id[1..], System.Globalization.CultureInfo.InvariantCulture)}").ToHashSet();
        var inbox = await ada.InboxAsync();
        var byChat = inbox.GroupBy(m => m!["chatId"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(withTelegram.Order(), byChat.Keys.Order());
        Assert.All(byChat.Values, count => Assert.Equal(1, count));
        Assert.All(inbox, m => Assert.Equal("Lecture moved to room 305", m!["text"]!.GetValue<string>()));

        var history = await teacher.GetFromJsonAsync<JsonObject>($"/v1/history/{id}");
        Assert.Equal("done", history!["state"]!.GetValue<string>());
        var telegram = history["channels"]!["telegram"]!;
        Assert.Equal("done", telegram["state"]!.GetValue<string>());
        Assert.Equal(18, telegram["sent"]!.GetValue<int>());
        Assert.Equal(6, telegram["noContact"]!.GetValue<int>());
        Assert.Equal(0, telegram["failed"]!.GetValue<int>());

        var receipts = await teacher.GetFromJsonAsync<JsonArray>($"/v1/history/{id}/receipts");
        Assert.Equal(24, receipts!.Count);
        Assert.Equal(18, receipts.Count(r => r!["status"]!.GetValue<string>() == "sent" && r["providerMessageId"] is not null));
        Assert.Equal(6, receipts.Count(r => r!["status"]!.GetValue<string>() == "no_contact"));
    }

    [Collection(RedisCollection.Name)]
    public sealed class OnRedis(RedisServer redis) : DeliveryTests(redis);

    [Collection(ClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : DeliveryTests(cluster);
}
