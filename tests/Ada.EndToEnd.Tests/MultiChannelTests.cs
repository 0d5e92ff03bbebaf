namespace Ada.EndToEnd.Tests;

/// <summary>Telegram, VK and SMS couriers together against the sandbox: one message, every channel a person has.</summary>
/// <summary>Runs on one redis-server (<see cref="OnRedis"/>) and on a 3-primary Redis Cluster (<see cref="OnCluster"/>).</summary>
public abstract class MultiChannelTests(IRedisEndpoint redis)
{
    [Fact]
    public async Task GroupMessage_ReachesEveryStudentOnEveryChannelTheyHave_OncePerChannel_CompleteAfterAllThree()
    {
        await using var ada = await AdaStack.StartAsync(redis, vk: true, sms: true);
        // 3 each: Telegram only, VK only, SMS only, all three, none → 6 addresses per channel, 9 without.
        var students = People.Students("mc", seed: 11, count: 15);
        var teacher = new Person("t.mc", Role: "teacher");
        await People.ImportAsync(ada, students.Append(teacher), ("mc-21", "MC-21", students, [teacher.Id]));
        using var client = ada.Client(await ada.TokenForAsync(teacher.Id));

        var key = await (await client.PostAsync("/v1/history-key", null)).Content.ReadFromJsonAsync<JsonObject>();
        var id = key!["id"]!.GetValue<string>();
        var opened = new TaskCompletionSource();
        var tracking = AdaStack.ReadEventsAsync(client, $"/v1/history/{id}/events?timeout=60", opened);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(10));

        const string text = "Exam moved to Friday, room 305";
        using var queued = await client.PostAsJsonAsync("/v1/queue", new
        {
            id,
            text,
            to = new { groups = new[] { "mc-21" } },
            sendAt = DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"),
        });
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var answer = (await queued.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(15, answer["recipients"]!.GetValue<int>());
        Assert.Equal(People.Channels.Order(), answer["channels"]!.AsArray().Select(c => c!.GetValue<string>()).Order());

        // The tracker ends 'complete' only once every channel is done: no document it streamed says the
        // message is done while a channel is not, and the last one has all three done.
        var events = await tracking.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("complete", AdaStack.Parse(events[^1].Data)["reason"]!.GetValue<string>());
        var documents = events.Where(e => e.Event is "update").Select(e => AdaStack.Parse(e.Data)).ToList();
        Assert.NotEmpty(documents);
        foreach (var doc in documents.Where(d => d["state"]!.GetValue<string>() == "done"))
        {
            Assert.All(People.Channels, c => Assert.Equal("done", doc["channels"]![c]!["state"]!.GetValue<string>()));
        }
        Assert.Equal("done", documents[^1]["state"]!.GetValue<string>());
        Assert.Contains(documents, d => d["state"]!.GetValue<string>() != "done");

        await People.AssertEachReceivedOnceAsync(ada, students, text);

        var history = await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/history/{id}");
        Assert.Equal("done", history!["state"]!.GetValue<string>());
        var receipts = await People.ReceiptsAsync(ada, id);
        Assert.Equal(15 * 3, receipts.Count);
        foreach (var channel in People.Channels)
        {
            var section = history["channels"]![channel]!;
            Assert.Equal("done", section["state"]!.GetValue<string>());
            Assert.Equal(6, People.Count(section, "sent"));
            Assert.Equal(9, People.Count(section, "noContact"));
            Assert.Equal(0, People.Count(section, "failed"));

            var mine = receipts.Where(r => r!["channel"]!.GetValue<string>() == channel).ToList();
            Assert.Equal(15, mine.Count);
            var withAddress = students.Where(s => s.Address(channel) is not null).Select(s => s.Id).Order().ToList();
            // An SMS receipt may already have moved to 'delivered' by the gateway's report.
            var reached = mine.Where(r => r!["status"]!.GetValue<string>() is "sent" or "delivered" && r["providerMessageId"] is not null)
                .Select(r => r!["userId"]!.GetValue<string>()).Order().ToList();
            Assert.Equal(withAddress, reached);
            Assert.Equal(9, mine.Count(r => r!["status"]!.GetValue<string>() == "no_contact"));
        }
    }

    [Fact]
    public async Task SmsDeliveryReports_MoveReceiptsToDelivered_AndAFailedDeliveryToFailed()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 0, sms: true, sandbox: new Dictionary<string, string>
        {
            // Well after the courier records 'sent' (the sandbox sends each report once, without retries).
            ["Sandbox__Sms__DeliveryDelayMilliseconds"] = "1000",
        });
        var students = Enumerable.Range(1, 6).Select(i => new Person($"dr-s{i}", Sms: $"+7999300000{i}")).ToList();
        await People.ImportAsync(ada, students, ("dr-21", "DR-21", students, []));
        var failing = students[3];
        using (var state = await ada.SandboxHttp.PutAsJsonAsync(
            $"/sandbox/sms/numbers/{Uri.EscapeDataString(failing.Sms!)}", new { state = "fail_delivery" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, state.StatusCode);
        }

        var id = await People.QueueNowAsync(ada.Admin, "Reports test", "dr-21");
        var history = await People.WaitHistoryAsync(ada, id,
            h => h["state"]!.GetValue<string>() == "done" && People.Count(h["channels"]!["sms"], "delivered") == 5
                && People.Count(h["channels"]!["sms"], "failed") == 1,
            "5 SMS delivered and 1 failed by the gateway's reports");

        var sms = history["channels"]!["sms"]!;
        Assert.Equal(new[] { "sms" }, history["expectedChannels"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(5, People.Count(sms, "sent"));
        Assert.Equal(1, People.Count(sms["errors"], "undelivered"));

        var receipts = await People.ReceiptsAsync(ada, id);
        Assert.Equal(6, receipts.Count);
        var byUser = receipts.ToDictionary(r => r!["userId"]!.GetValue<string>(), r => r!);
        foreach (var student in students.Where(s => s != failing))
        {
            Assert.Equal("delivered", byUser[student.Id]["status"]!.GetValue<string>());
        }
        var failed = byUser[failing.Id];
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("Delivery result", failed["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // The text did reach the handset's operator: the inbox has it, the report says it was not delivered.
        Assert.Single(await ada.InboxAsync("sms", failing.Sms));
    }

    [Collection(RedisCollection.Name)]
    public sealed class OnRedis(RedisServer redis) : MultiChannelTests(redis);

    [Collection(ClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : MultiChannelTests(cluster);
}
