namespace Ada.EndToEnd.Tests;

/// <summary>Runs on one redis-server (<see cref="OnRedis"/>) and on a 3-primary Redis Cluster (<see cref="OnCluster"/>).</summary>
public abstract class FaultTests(IRedisEndpoint redis)
{
    [Fact]
    public async Task BlockedAndMissingChats_AreRecordedFailed_AndBlockedContactDeactivated()
    {
        await using var ada = await AdaStack.StartAsync(redis);
        await ImportClassAsync(ada, "g-blocked", 10, chatBase: 810000);
        await PutChatStateAsync(ada, "810003", "blocked");
        await PutChatStateAsync(ada, "810005", "not_found");

        var id = await QueueNowAsync(ada, "g-blocked", "Exam at 10:00");
        var history = await WaitDoneAsync(ada, id);

        var telegram = history["channels"]!["telegram"]!;
        Assert.Equal(8, telegram["sent"]!.GetValue<int>());
        Assert.Equal(2, telegram["failed"]!.GetValue<int>());
        Assert.Equal(1, telegram["errors"]!["blocked"]!.GetValue<int>());
        Assert.Equal(1, telegram["errors"]!["chat_not_found"]!.GetValue<int>());

        var receipts = await ada.Admin.GetFromJsonAsync<JsonArray>($"/v1/history/{id}/receipts");
        var blocked = receipts!.Single(r => r!["userId"]!.GetValue<string>() == "g-blocked-s3")!;
        Assert.Equal("failed", blocked["status"]!.GetValue<string>());
        Assert.Contains("blocked", blocked["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);

        var user = await ada.Admin.GetFromJsonAsync<JsonObject>("/v1/users/g-blocked-s3");
        Assert.Contains("telegram", user!["inactive"]!.AsArray().Select(c => c!.GetValue<string>()));

        // The next message does not try the blocked chat again: no contact in Telegram any more.
        var second = await QueueNowAsync(ada, "g-blocked", "Exam moved to 11:00");
        var after = await WaitDoneAsync(ada, second);
        Assert.Equal(1, after["channels"]!["telegram"]!["noContact"]!.GetValue<int>());
    }

    [Fact]
    public async Task ProviderThrottling_429_IsWaitedOut_EveryChatGetsExactlyOne()
    {
        await using var ada = await AdaStack.StartAsync(redis);
        await ImportClassAsync(ada, "g-throttle", 40, chatBase: 820000);
        using var limits = await ada.SandboxHttp.PutAsJsonAsync("/sandbox/telegram/limits", new { messagesPerSecond = 15 });
        limits.EnsureSuccessStatusCode();

        var id = await QueueNowAsync(ada, "g-throttle", "Room changed");
        var history = await WaitDoneAsync(ada, id, TimeSpan.FromSeconds(60));

        Assert.Equal(40, history["channels"]!["telegram"]!["sent"]!.GetValue<int>());
        var stats = await ada.SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/stats");
        Assert.True(stats!["telegram"]!["throttled"]!.GetValue<int>() > 0, "the sandbox should have answered 429 at least once");
        var summary = await ada.SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/inbox/summary?channel=telegram");
        Assert.Equal(40, summary!["chats"]!.GetValue<int>());
        Assert.Equal(0, summary["duplicates"]!.GetValue<int>());
    }

    [Fact]
    public async Task CourierDownWhenDue_NextCourierDeliversOnStart()
    {
        await using var ada = await AdaStack.StartAsync(redis);
        await ImportClassAsync(ada, "g-late", 5, chatBase: 830000);
        // The courier dies; its heartbeat is still fresh, so the API still expects Telegram.
        ada.Couriers[0].Kill();

        var id = await QueueNowAsync(ada, "g-late", "Courier was down");
        var before = await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/history/{id}");
        Assert.Equal("scheduled", before!["state"]!.GetValue<string>());

        await ada.StartCourierAsync();
        var history = await WaitDoneAsync(ada, id);
        Assert.Equal(5, history["channels"]!["telegram"]!["sent"]!.GetValue<int>());
        Assert.Equal(5, (await ada.InboxAsync()).Count);
    }

    private static async Task ImportClassAsync(AdaStack ada, string group, int students, int chatBase)
    {
        var users = Enumerable.Range(1, students)
            .Select(i => new { id = $"{group}-s{i}", name = $"Student {i}", role = "student", contacts = new { telegram = $"{chatBase + i}" } })
            .ToList();
        using var response = await ada.Admin.PostAsJsonAsync("/v1/import", new
        {
            users,
            groups = new[] { new { id = group, name = group, members = users.Select(u => u.id), owners = Array.Empty<string>() } },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task PutChatStateAsync(AdaStack ada, string chatId, string state)
    {
        using var response = await ada.SandboxHttp.PutAsJsonAsync($"/sandbox/telegram/chats/{chatId}", new { state });
        response.EnsureSuccessStatusCode();
    }

    private static async Task<string> QueueNowAsync(AdaStack ada, string group, string text)
    {
        using var response = await ada.Admin.PostAsJsonAsync("/v1/queue", new { text, to = new { groups = new[] { group } } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    private static Task<JsonObject> WaitDoneAsync(AdaStack ada, string id, TimeSpan? within = null) =>
        Eventually.WaitAsync(
            async () => (await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/history/{id}"))!,
            h => h["state"]!.GetValue<string>() == "done",
            within ?? TimeSpan.FromSeconds(30),
            $"message {id} to be done");

    [Collection(RedisCollection.Name)]
    public sealed class OnRedis(RedisServer redis) : FaultTests(redis);

    [Collection(ClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : FaultTests(cluster);
}
