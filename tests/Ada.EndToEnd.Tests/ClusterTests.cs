namespace Ada.EndToEnd.Tests;

/// <summary>
/// What only a Redis Cluster can show: keyspace events are node-local, so the couriers must listen on every
/// primary, including one that joins later. The couriers here sweep the due index only every ten minutes:
/// every message is delivered by an event heard on the node that holds it, or not within the test.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(RedisCluster cluster, ITestOutputHelper output)
{
    private const int TenMinutes = 600;
    private const string Chat = "990001";

    [Fact]
    public async Task Couriers_HearEveryPrimary_AndAPrimaryThatJoinsLater()
    {
        await using var ada = await AdaStack.StartAsync(cluster, sweepSeconds: TenMinutes);
        using var teacher = await TeacherAsync(ada);

        foreach (var port in cluster.Ports)
        {
            Assert.Contains("x", await NodeAsync(port, server => ConfigAsync(server)), StringComparison.Ordinal);
        }

        // One message in every due shard: their keys are spread over all three primaries.
        var dueSlots = Enumerable.Range(0, 16).Select(shard => RedisCluster.SlotOf($"due:{{{shard}}}")).ToHashSet();
        var ids = await IdsAsync(teacher, dueSlots);
        var nodes = new HashSet<int>();
        foreach (var id in ids)
        {
            nodes.Add(await cluster.PortOfSlotAsync(RedisCluster.SlotOf($"history:{{{id}}}")));
        }
        Assert.Equal(cluster.Ports.Order(), nodes.Order());
        var due = await QueueAllAsync(teacher, ids);
        await WaitForInboxAsync(ada, ids.Count);
        output.WriteLine($"RESULT 16 messages on {nodes.Count} primaries, all seen in the sandbox {(DateTimeOffset.UtcNow - due).TotalSeconds:0.00} s after due (polled every ≤ 250 ms)");

        // A fourth primary joins and takes over one due shard's slot, with its keys.
        var joined = await cluster.AddPrimaryAsync();
        var movedSlot = RedisCluster.SlotOf("due:{5}");
        await cluster.MoveSlotAsync(movedSlot, joined);
        var moved = Stopwatch.StartNew();
        // Ada follows: keyspace events turned on there, and both channels of every courier subscribed there.
        await WaitUntilTheCourierListensAsync(cluster, joined, $"the new primary {joined}");
        output.WriteLine($"RESULT new primary {joined} has keyspace events on and the courier subscribed {moved.Elapsed.TotalSeconds:0.00} s after slot {movedSlot} moved to it");

        var later = await IdsAsync(teacher, [movedSlot], count: 3);
        due = await QueueAllAsync(teacher, later);
        await WaitForInboxAsync(ada, ids.Count + later.Count);
        output.WriteLine($"RESULT 3 messages on the new primary seen in the sandbox {(DateTimeOffset.UtcNow - due).TotalSeconds:0.00} s after due");
        var inbox = await ada.InboxAsync(Chat);
        Assert.Equal(ids.Count + later.Count, inbox.Select(m => m!["text"]!.GetValue<string>()).Distinct().Count());
        foreach (var id in later)
        {
            Assert.Equal("done", (await teacher.GetFromJsonAsync<JsonObject>($"/v1/history/{id}"))!["state"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Couriers_ListenAgain_AfterTheirPubSubConnectionsAreKilledOnEveryPrimary()
    {
        await using var ada = await AdaStack.StartAsync(cluster, sweepSeconds: TenMinutes);
        using var teacher = await TeacherAsync(ada);
        var ports = cluster.Ports;
        foreach (var port in ports)
        {
            await NodeAsync(port, server => server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        }
        var killed = Stopwatch.StartNew();
        await Eventually.WaitAsync(async () =>
        {
            foreach (var port in ports)
            {
                if (!await NodeAsync(port, async server => await SubscribersAsync(server, "__keyevent@0__:expired") >= 1
                    && await SubscribersAsync(server, "__keyevent@0__:del") >= 1))
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(30), "the courier to subscribe again on every primary");
        output.WriteLine($"RESULT pub/sub connections killed on {ports.Count} primaries: subscribed again on all {killed.Elapsed.TotalSeconds:0.00} s later");

        // One message in every due shard, so on every primary: the sweep is ten minutes away, only events deliver.
        var ids = await IdsAsync(teacher, [.. Enumerable.Range(0, 16).Select(shard => RedisCluster.SlotOf($"due:{{{shard}}}"))]);
        var due = await QueueAllAsync(teacher, ids);
        await WaitForInboxAsync(ada, ids.Count);
        output.WriteLine($"RESULT after the kill: 16 messages seen in the sandbox {(DateTimeOffset.UtcNow - due).TotalSeconds:0.00} s after due");
    }

    [Fact]
    public async Task Couriers_FollowAFailover_TheReplicaPromotedIsListenedTo()
    {
        // A cluster of its own: this one gets a replica, and its roles change.
        var own = new RedisCluster();
        await own.InitializeAsync();
        try
        {
            await using var ada = await AdaStack.StartAsync(own, sweepSeconds: TenMinutes);
            using var teacher = await TeacherAsync(ada);
            var slot = RedisCluster.SlotOf("due:{3}");
            var primary = await own.PortOfSlotAsync(slot);
            var replica = await own.AddReplicaAsync(primary);

            await own.FailoverAsync(replica);
            var promoted = Stopwatch.StartNew();

            Assert.Equal(replica, await own.PortOfSlotAsync(slot));
            // The couriers' connection meets the new primary at its next read of the due index there.
            await WaitUntilTheCourierListensAsync(own, replica, $"the promoted replica {replica}");
            output.WriteLine($"RESULT failover: promoted replica {replica} has keyspace events on and the courier subscribed {promoted.Elapsed.TotalSeconds:0.00} s after the failover");

            var ids = await IdsAsync(teacher, [slot], count: 3);
            var due = await QueueAllAsync(teacher, ids);
            await WaitForInboxAsync(ada, ids.Count);
            output.WriteLine($"RESULT failover: 3 messages on the promoted replica seen in the sandbox {(DateTimeOffset.UtcNow - due).TotalSeconds:0.00} s after due");
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task Queue_WithAnIdAdaDidNotMake_IsRefusedWithAProblem()
    {
        await using var ada = await AdaStack.StartAsync(cluster);
        using var teacher = await TeacherAsync(ada);
        var dueSlots = Enumerable.Range(0, 16).Select(shard => RedisCluster.SlotOf($"due:{{{shard}}}")).ToHashSet();
        var foreign = Enumerable.Range(1000, 100).Select(n => $"t.lee:{n}").First(id => !dueSlots.Contains(RedisCluster.SlotOf(id)));

        using var refused = await teacher.PostAsJsonAsync("/v1/queue", new { id = foreign, text = "hi", to = new { users = new[] { "s1" } } });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/v1/history-key", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.GetAsync($"/v1/history/{foreign}")).StatusCode);
    }

    private static async Task<HttpClient> TeacherAsync(AdaStack ada)
    {
        using var import = await ada.Admin.PostAsJsonAsync("/v1/import", new
        {
            users = new object[]
            {
                new { id = "s1", name = "Student", role = "student", contacts = new { telegram = Chat } },
                new { id = "t.lee", name = "Teacher Lee", role = "teacher", contacts = new { } },
            },
        });
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        return ada.Client(await ada.TokenForAsync("t.lee"));
    }

    /// <summary>Asks for history keys until it has one per slot wanted (or <paramref name="count"/> for a single slot).</summary>
    private static async Task<List<string>> IdsAsync(HttpClient teacher, HashSet<int> slots, int count = 1)
    {
        var ids = new List<string>();
        var bySlot = new Dictionary<int, int>();
        for (var i = 0; i < 2000 && bySlot.Count(p => p.Value >= count) < slots.Count; i++)
        {
            using var response = await teacher.PostAsync("/v1/history-key", null);
            var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
            var slot = RedisCluster.SlotOf($"history:{{{id}}}");
            // Every id Ada makes hashes to a due shard's slot.
            Assert.Contains(slot, Enumerable.Range(0, 16).Select(shard => RedisCluster.SlotOf($"due:{{{shard}}}")));
            if (slots.Contains(slot) && bySlot.GetValueOrDefault(slot) < count)
            {
                bySlot[slot] = bySlot.GetValueOrDefault(slot) + 1;
                ids.Add(id);
            }
        }
        Assert.Equal(slots.Count * count, ids.Count);
        return ids;
    }

    /// <summary>Queues each id due in two seconds, so each delivery key expires on its own node.</summary>
    private static async Task<DateTimeOffset> QueueAllAsync(HttpClient teacher, IEnumerable<string> ids)
    {
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(2);
        foreach (var id in ids)
        {
            using var queued = await teacher.PostAsJsonAsync("/v1/queue",
                new { id, text = $"message {id}", to = new { users = new[] { "s1" } }, sendAt = sendAt.ToString("O") });
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        }
        return sendAt;
    }

    private static Task WaitForInboxAsync(AdaStack ada, int count) =>
        Eventually.WaitAsync(async () => (await ada.InboxAsync(Chat)).Count >= count,
            TimeSpan.FromSeconds(30), $"{count} messages in the sandbox (the sweep is 10 minutes away: only events deliver)");

    /// <summary>Waits until the node has keyspace events on and a courier subscribed to both of its event channels.</summary>
    private static Task WaitUntilTheCourierListensAsync(RedisCluster of, int port, string node) =>
        Eventually.WaitAsync(() => NodeAsync(of, port, async server =>
            (await ConfigAsync(server)).Contains('x', StringComparison.Ordinal)
            && await SubscribersAsync(server, "__keyevent@0__:expired") >= 1
            && await SubscribersAsync(server, "__keyevent@0__:del") >= 1),
            TimeSpan.FromSeconds(90), $"the courier to listen on {node}");

    private Task<T> NodeAsync<T>(int port, Func<IServer, Task<T>> read) => NodeAsync(cluster, port, read);

    private static async Task<T> NodeAsync<T>(RedisCluster of, int port, Func<IServer, Task<T>> read)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync($"{of.Host}:{port},allowAdmin=true");
        return await read(mux.GetServer(of.Host, port));
    }

    private static async Task<string> ConfigAsync(IServer server) =>
        (await server.ConfigGetAsync("notify-keyspace-events")).Single().Value;

    private static async Task<long> SubscribersAsync(IServer server, string channel)
    {
        var reply = (RedisResult[])(await server.ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)reply[1];
    }
}
