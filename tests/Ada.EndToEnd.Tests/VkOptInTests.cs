namespace Ada.EndToEnd.Tests;

/// <summary>VK writes only to people who allowed the community: 901, then message_allow through the Callback API.</summary>
/// <summary>Runs on one redis-server (<see cref="OnRedis"/>) and on a 3-primary Redis Cluster (<see cref="OnCluster"/>).</summary>
public abstract class VkOptInTests(IRedisEndpoint redis)
{
    [Fact]
    public async Task NotAllowedPeer_IsRecordedFailedWithTheReason_AndMessageAllowFromVk_ReactivatesTheContact()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 0, vk: true);
        var students = Enumerable.Range(1, 5).Select(i => new Person($"vk-s{i}", Vk: $"{6_500_000 + i}")).ToList();
        await People.ImportAsync(ada, students, ("vk-21", "VK-21", students, []));
        var shy = students[2];
        using (var peer = await ada.SandboxHttp.PutAsJsonAsync($"/sandbox/vk/peers/{shy.Vk}", new { state = "not_allowed" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, peer.StatusCode);
        }

        var id = await People.QueueNowAsync(ada.Admin, "First VK message", "vk-21");
        var history = await People.WaitDoneAsync(ada, id);
        var vk = history["channels"]!["vk"]!;
        Assert.Equal(4, People.Count(vk, "sent"));
        Assert.Equal(1, People.Count(vk, "failed"));
        Assert.Equal(1, People.Count(vk["errors"], "not_allowed"));
        var receipt = (await People.ReceiptsAsync(ada, id)).Single(r => r!["userId"]!.GetValue<string>() == shy.Id)!;
        Assert.Equal("failed", receipt["status"]!.GetValue<string>());
        Assert.Contains("has not allowed messages from the community", receipt["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("vk", await InactiveAsync(ada, shy.Id));
        Assert.Empty(await ada.InboxAsync("vk", shy.Vk));

        // The student allows messages in VK: VK (the sandbox) sends message_allow to the API's Callback API.
        using var allow = await ada.SandboxHttp.PostAsync($"/sandbox/vk/users/{shy.Vk}/allow", null);
        Assert.Equal(HttpStatusCode.OK, allow.StatusCode);
        var callback = (await allow.Content.ReadFromJsonAsync<JsonObject>())!["callback"]!;
        Assert.Equal(ada.ApiAddress + "v1/vk/callback", callback["url"]!.GetValue<string>());
        Assert.Equal(200, callback["status"]!.GetValue<int>());
        Assert.Equal("ok", callback["body"]!.GetValue<string>());
        Assert.DoesNotContain("vk", await InactiveAsync(ada, shy.Id));

        var second = await People.QueueNowAsync(ada.Admin, "Second VK message", "vk-21");
        var after = await People.WaitDoneAsync(ada, second);
        Assert.Equal(5, People.Count(after["channels"]!["vk"], "sent"));
        Assert.Equal(0, People.Count(after["channels"]!["vk"], "failed"));
        var inbox = Assert.Single(await ada.InboxAsync("vk", shy.Vk))!;
        Assert.Equal("Second VK message", inbox["text"]!.GetValue<string>());
    }

    private static async Task<List<string>> InactiveAsync(AdaStack ada, string userId)
    {
        var user = await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/users/{userId}");
        return user!["inactive"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [];
    }

    [Collection(RedisCollection.Name)]
    public sealed class OnRedis(RedisServer redis) : VkOptInTests(redis);

    [Collection(ClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : VkOptInTests(cluster);
}
