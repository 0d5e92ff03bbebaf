namespace Ada.Reliability.Tests;

/// <summary>What the sandbox received: one Telegram message in one chat.</summary>
public sealed record InboxMessage(string ChatId, long MessageId, string Text, long AtUnixMs);

/// <summary>Knobs of one <see cref="Stack"/>.</summary>
public sealed class StackOptions
{
    /// <summary>Telegram courier instances started before the API.</summary>
    public int Couriers { get; init; } = 1;

    /// <summary>Settings of every courier, over the defaults (lease 3 s, sweep 1 s, unpaced).</summary>
    public Dictionary<string, string> Courier { get; init; } = [];

    /// <summary>The couriers' Telegram pace (<c>Telegram__MessagesPerSecond</c>); unpaced when null.</summary>
    public int? MessagesPerSecond { get; init; }

    /// <summary>Where couriers find the Bot API; the sandbox when null.</summary>
    public Uri? ProviderUrl { get; init; }

    /// <summary>The sandbox's port; a free one when null.</summary>
    public int? SandboxPort { get; init; }

    /// <summary>False: no API process (a test that only needs couriers).</summary>
    public bool Api { get; init; } = true;
}

/// <summary>
/// Ada as real processes on one Redis database — deploy/Ada.Stack's <see cref="AdaProcesses"/>: the sandbox (the
/// provider), Telegram couriers (unpaced, lease 3 s, sweep 1 s) and the API, plus a connection of the test's own to
/// look at Redis. Everything started here is killed on dispose.
/// </summary>
public sealed class Stack : IAsyncDisposable
{
    public const string AdminToken = "reliability-admin-token-0123456789";

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private Stack(RedisServer redis, int database, ITestOutputHelper output, ConnectionMultiplexer mux)
    {
        Redis = redis;
        Database = database;
        Output = output;
        Mux = mux;
    }

    public RedisServer Redis { get; }
    public int Database { get; }
    public ITestOutputHelper Output { get; }
    public ConnectionMultiplexer Mux { get; }
    public IDatabase Db => Mux.GetDatabase(Database);
    public AdaProcesses Processes { get; private set; } = null!;
    public ServiceProcess Sandbox => Processes.Sandbox!;
    public ServiceProcess? Api => Processes.Api;
    public HttpClient SandboxHttp { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Every courier started, dead or alive, in start order.</summary>
    public IReadOnlyList<ServiceProcess> Couriers => Processes.Couriers(StackChannels.Telegram);

    public static async Task<Stack> StartAsync(RedisServer redis, ITestOutputHelper output, StackOptions? options = null)
    {
        options ??= new StackOptions();
        var database = redis.NextDatabase();
        var mux = await ConnectionMultiplexer.ConnectAsync(
            $"{redis.ConnectionString(database)},allowAdmin=true,name=reliability-test");
        var stack = new Stack(redis, database, output, mux);
        var courier = new Dictionary<string, string>
        {
            ["Courier__LeaseSeconds"] = "3",
            ["Courier__SweepSeconds"] = "1",
        };
        if (options.ProviderUrl is { } provider)
        {
            courier["Telegram__BaseUrl"] = provider.ToString();
        }
        if (options.MessagesPerSecond is { } pace)
        {
            courier["Telegram__MessagesPerSecond"] = pace.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (key, value) in options.Courier)
        {
            courier[key] = value;
        }
        try
        {
            stack.Processes = await AdaProcesses.StartAsync(new AdaProcessesOptions
            {
                Redis = new RedisTarget(redis.ConnectionString(database), database),
                Secrets = StackSecrets.Generate() with { AdminToken = AdminToken },
                SandboxPort = options.SandboxPort,
                Couriers = new() { [StackChannels.Telegram] = options.Couriers },
                CourierSettings = courier,
                Unpaced = true,
                ApiInstances = options.Api ? 1 : 0,
            });
        }
        catch
        {
            await mux.DisposeAsync();
            throw;
        }
        stack.SandboxHttp = stack.Processes.SandboxClient();
        foreach (var started in stack.Couriers)
        {
            stack.Log($"courier started (pid {started.ProcessId})");
        }
        if (options.Api)
        {
            stack.Admin = stack.Client(AdminToken);
        }
        return stack;
    }

    /// <summary>One more Telegram courier, like the others but for <paramref name="overrides"/>; returns once its channel beats.</summary>
    public async Task<ServiceProcess> StartCourierAsync(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var courier = await Processes.StartCourierAsync(StackChannels.Telegram, overrides);
        Log($"courier #{Couriers.Count} started (pid {courier.ProcessId})");
        return courier;
    }

    public HttpClient Client(string token) => Processes.ApiClient(token, new SocketsHttpHandler { MaxConnectionsPerServer = 128 });

    /// <summary>Waits until <paramref name="at"/> (at once when it has passed): for waits the scenario itself is made of.</summary>
    public static Task DelayUntilAsync(DateTimeOffset at)
    {
        var wait = at - DateTimeOffset.UtcNow;
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }

    /// <summary>Seconds since the stack was started, for the log lines.</summary>
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    public void Log(string line) => Output.WriteLine(FormattableString.Invariant($"[{Elapsed,7:0.000} s] {line}"));

    /// <summary>Copies a service's log lines of at least warning level (and the courier runtime's claim/finish lines) to the test output.</summary>
    public void LogServiceOutput(ServiceProcess service, int max = 15)
    {
        if (Environment.GetEnvironmentVariable("ADA_DUMP_LOGS") is { Length: > 0 } dump)
        {
            File.WriteAllText(Path.Combine(dump, $"{service.Name}-{service.ProcessId}.log"), service.Output);
        }
        var lines = service.Output.Split('\n')
            .Where(l => !l.Contains("Touching due orders failed", StringComparison.Ordinal))
            .Where(l => l.Contains("\"LogLevel\":\"Warning\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal)
                || l.Contains("Claim of", StringComparison.Ordinal) || l.Contains("Finished", StringComparison.Ordinal)
                || l.Contains("Stopped sending", StringComparison.Ordinal) || l.Contains("restored", StringComparison.Ordinal))
            .ToList();
        foreach (var line in lines.Take(max))
        {
            Output.WriteLine($"  {service.Name}: {(line.Length > 300 ? line[..300] + "…" : line)}");
        }
        if (lines.Count > max)
        {
            Output.WriteLine($"  {service.Name}: … {lines.Count - max} more");
        }
    }

    /// <summary>Imports <paramref name="count"/> students into <paramref name="group"/>, chat ids from chatBase+1; returns the chat ids.</summary>
    public async Task<IReadOnlyList<string>> ImportGroupAsync(string group, int count, long chatBase)
    {
        var users = Enumerable.Range(1, count)
            .Select(i => new
            {
                id = $"{group}-s{i}",
                name = $"Student {i}",
                role = "student",
                contacts = new { telegram = (chatBase + i).ToString(CultureInfo.InvariantCulture) },
            })
            .ToList();
        using var response = await Admin.PostAsJsonAsync("/v1/import", new
        {
            users,
            groups = new[] { new { id = group, name = group, members = users.Select(u => u.id), owners = Array.Empty<string>() } },
        });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"import: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return [.. users.Select(u => u.contacts.telegram)];
    }

    /// <summary>Queues <paramref name="text"/> to a group (now, or at <paramref name="sendAt"/>); returns the id.</summary>
    public async Task<string> QueueAsync(string group, string text, DateTimeOffset? sendAt = null)
    {
        object body = sendAt is { } at
            ? new { text, to = new { groups = new[] { group } }, sendAt = at.ToString("O", CultureInfo.InvariantCulture) }
            : new { text, to = new { groups = new[] { group } } };
        using var response = await Admin.PostAsJsonAsync("/v1/queue", body);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"queue: {(int)response.StatusCode} {answer}");
        return JsonNode.Parse(answer)!["id"]!.GetValue<string>();
    }

    public async Task<JsonObject> HistoryAsync(string id) =>
        (await Admin.GetFromJsonAsync<JsonObject>($"/v1/history/{id}"))!;

    public async Task<JsonArray> ReceiptsAsync(string id) =>
        (await Admin.GetFromJsonAsync<JsonArray>($"/v1/history/{id}/receipts"))!;

    /// <summary>Waits until the message is done (or cancelled, with every channel's final report written).</summary>
    public Task<JsonObject> WaitFinalAsync(string id, TimeSpan within) =>
        Eventually.WaitAsync(
            () => HistoryAsync(id),
            h => State(h) == "done" || (State(h) == "cancelled" && h["channels"]!.AsObject().All(c => c.Value!["state"]!.GetValue<string>() == "done")),
            within,
            $"message {id} to be final");

    public static string State(JsonObject history) => history["state"]!.GetValue<string>();

    public static JsonNode Telegram(JsonObject history) => history["channels"]!["telegram"]!;

    /// <summary>Everything the sandbox received in Telegram, or only the messages with this text.</summary>
    public async Task<List<InboxMessage>> InboxAsync(string? text = null)
    {
        var page = (await SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/inbox?channel=telegram&limit=100000"))!;
        return [.. page["messages"]!.AsArray()
            .Select(m => new InboxMessage(
                m!["chatId"]!.GetValue<string>(), m["messageId"]!.GetValue<long>(), m["text"]!.GetValue<string>(),
                m["receivedAtUnixMs"]!.GetValue<long>()))
            .Where(m => text is null || m.Text == text)];
    }

    /// <summary>The sandbox's counter of Telegram messages accepted (cheap to poll).</summary>
    public async Task<long> ProviderSentAsync()
    {
        var stats = (await SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/stats"))!;
        return stats["telegram"]!["sent"]!.GetValue<long>();
    }

    public async Task<JsonObject> ProviderStatsAsync() =>
        (JsonObject)(await SandboxHttp.GetFromJsonAsync<JsonObject>("/sandbox/stats"))!["telegram"]!;

    /// <summary>A counter of a service's Prometheus <c>/metrics</c> (0 when the series is not there yet).</summary>
    public static async Task<double> MetricAsync(ServiceProcess service, string name, params string[] labels)
    {
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    public static Task<double> SentMetricAsync(ServiceProcess courier) =>
        MetricAsync(courier, "ada_recipients_total", "channel=\"telegram\"", "status=\"sent\"");

    /// <summary>
    /// The standard check of one message against the sandbox: every expected chat got it at least once, no other
    /// chat got it, every receipt is sent and names a message the chat really received. Returns the duplicates.
    /// </summary>
    public async Task<int> AssertDeliveredAsync(string id, string text, IReadOnlyCollection<string> chats, List<InboxMessage>? inbox = null)
    {
        inbox ??= await InboxAsync(text);
        var byChat = inbox.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.Select(m => m.MessageId).ToHashSet());
        var missing = chats.Where(c => !byChat.ContainsKey(c)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} chats never got {id}, e.g. {string.Join(", ", missing.Take(5))}");
        var extra = byChat.Keys.Except(chats).ToList();
        Assert.True(extra.Count == 0, $"{extra.Count} chats got {id} without being addressed");

        var receipts = await ReceiptsAsync(id);
        Assert.Equal(chats.Count, receipts.Count);
        var chatOf = await ChatsOfAsync(receipts.Select(r => r!["userId"]!.GetValue<string>()));
        foreach (var receipt in receipts)
        {
            var userId = receipt!["userId"]!.GetValue<string>();
            Assert.Equal("sent", receipt["status"]!.GetValue<string>());
            var providerId = long.Parse(receipt["providerMessageId"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            Assert.True(byChat[chatOf[userId]].Contains(providerId),
                $"receipt of {userId} names message {providerId}, which chat {chatOf[userId]} never received");
        }
        var history = await HistoryAsync(id);
        Assert.Equal("done", State(history));
        Assert.Equal(chats.Count, Telegram(history)["sent"]!.GetValue<int>());
        Assert.Equal(0, Telegram(history)["failed"]!.GetValue<int>());
        return inbox.Count - chats.Count;
    }

    /// <summary>The Telegram chat of each user, from the directory's contacts hash.</summary>
    public async Task<Dictionary<string, string>> ChatsOfAsync(IEnumerable<string> userIds)
    {
        var ids = userIds.Select(u => (RedisValue)u).ToArray();
        var chats = await Db.HashGetAsync("{directory}:contacts:telegram", ids);
        return ids.Select((u, i) => (u.ToString(), chats[i].ToString())).ToDictionary(p => p.Item1, p => p.Item2);
    }

    public async ValueTask DisposeAsync()
    {
        if (Processes is not null)
        {
            await Processes.DisposeAsync();
        }
        Admin?.Dispose();
        SandboxHttp?.Dispose();
        await Mux.DisposeAsync();
    }
}
