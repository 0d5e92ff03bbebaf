namespace Ada.Benchmarks;

/// <summary>What one scenario runs on: its own redis-server, the sandbox, one courier (Telegram unless told) and the API.</summary>
public sealed class StackOptions
{
    /// <summary>The channel of the one courier: <c>telegram</c> (Ada.Couriers.Telegram), <c>vk</c> (Ada.Couriers.Vk) or <c>email</c> (Ada.Couriers.Email, to the sandbox's SMTP server).</summary>
    public string Channel { get; init; } = "telegram";

    public Dictionary<string, string> Courier { get; } = new();
    public Dictionary<string, string> Sandbox { get; } = new();
    public Dictionary<string, string> Api { get; } = new();
}

/// <summary>
/// A fresh Ada for one scenario: a new <c>redis-server</c> (the tests' arguments with the AOF on as in production:
/// <c>--save "" --appendonly yes --appendfsync everysec --hz 10</c>, keyspace events on), then deploy/Ada.Stack's
/// <see cref="AdaProcesses"/>: the sandbox, the courier (paced as in production) and the API, all on 127.0.0.1,
/// all killed on dispose.
/// </summary>
public sealed class BenchStack : IAsyncDisposable
{
    public const string AdminToken = "bench-admin-token-0123456789abcdef";
    public const string TelegramToken = "123456:BENCH";
    public const int ClientConnections = 64;

    private readonly string _channel;

    private BenchStack(RedisServer redis, int database, string channel)
    {
        Redis = redis;
        Database = database;
        _channel = channel;
    }

    public RedisServer Redis { get; }
    public int Database { get; }
    public AdaProcesses Processes { get; private set; } = null!;
    public ServiceProcess Sandbox => Processes.Sandbox!;
    public ServiceProcess Courier => Processes.Couriers(_channel)[^1];
    public ServiceProcess Api => Processes.Api!;
    public ConnectionMultiplexer Mux { get; private set; } = null!;
    public int RedisPid { get; private set; }

    /// <summary>The admin (unlimited quotas), pooled like a load generator: up to 64 connections.</summary>
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient SandboxHttp { get; private set; } = null!;

    /// <summary>Set for every service of every stack (e.g. DOTNET_PerfMapEnabled=1 so `perf` can name JIT-compiled code).</summary>
    public static Dictionary<string, string> CommonEnvironment { get; } = new();

    /// <summary>Per-service overrides from the command line (<c>--set courier:Courier__MaxConcurrentMessages=32</c>), applied last.</summary>
    public static List<(string Service, string Key, string Value)> Overrides { get; } = [];

    public static async Task<BenchStack> StartAsync(StackOptions options, CancellationToken cancel)
    {
        foreach (var (service, key, value) in Overrides)
        {
            (service switch { "sandbox" => options.Sandbox, "courier" => options.Courier, _ => options.Api })[key] = value;
        }
        var redis = new RedisServer();
        // As in production (deploy/redis.conf): the append-only file, fsynced every second.
        await redis.StartAsync("--appendonly", "yes", "--appendfsync", "everysec");
        var stack = new BenchStack(redis, redis.NextDatabase(), options.Channel);
        try
        {
            await stack.StartServicesAsync(options, cancel);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartServicesAsync(StackOptions options, CancellationToken cancel)
    {
        Mux = await ConnectionMultiplexer.ConnectAsync($"{Redis.Host}:{Redis.Port},allowAdmin=true,defaultDatabase={Database}");
        var info = await Mux.GetServer(Redis.Host, Redis.Port).InfoAsync("server");
        RedisPid = int.Parse(info.SelectMany(g => g).First(p => p.Key == "process_id").Value);

        var sandbox = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" };
        foreach (var (key, value) in options.Sandbox)
        {
            sandbox[key] = value;
        }
        var api = new Dictionary<string, string>
        {
            ["Limits__Admin__MessagesPerHour"] = "0",
            ["Limits__Admin__RecipientsPerMessage"] = "0",
        };
        foreach (var (key, value) in options.Api)
        {
            api[key] = value;
        }
        Processes = await AdaProcesses.StartAsync(new AdaProcessesOptions
        {
            Redis = new RedisTarget(Redis.ConnectionString(Database), Database),
            Secrets = StackSecrets.Generate() with { AdminToken = AdminToken, TelegramToken = TelegramToken },
            SandboxSettings = sandbox,
            Couriers = new() { [options.Channel] = 1 },
            CourierSettings = options.Courier,
            ApiSettings = api,
            CommonSettings = CommonEnvironment,
        }, cancel);

        Admin = Processes.ApiClient(AdminToken, new SocketsHttpHandler
        {
            MaxConnectionsPerServer = ClientConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            UseProxy = false,
        });
        Admin.Timeout = TimeSpan.FromSeconds(120);
        SandboxHttp = Processes.SandboxClient(new SocketsHttpHandler { UseProxy = false });
    }

    /// <summary>SIGKILL of the courier: a crash, no graceful stop (its claims lapse after the lease).</summary>
    public void KillCourier() => Courier.Kill();

    /// <summary>A new courier process with the first one's settings (after <see cref="KillCourier"/>); returns when it is ready.</summary>
    public async Task RestartCourierAsync()
    {
        if (!Courier.HasExited)
        {
            throw new InvalidOperationException("the courier is still running; KillCourier it first");
        }
        await Processes.StartCourierAsync(_channel);
    }

    /// <summary>The processes whose CPU time the scenarios account for.</summary>
    public IReadOnlyDictionary<string, int> Pids => new Dictionary<string, int>
    {
        ["api"] = Api.ProcessId,
        ["courier"] = Courier.ProcessId,
        ["sandbox"] = Sandbox.ProcessId,
        ["redis"] = RedisPid,
        ["bench"] = Environment.ProcessId,
    };

    public IServer RedisAdmin => Mux.GetServer(Redis.Host, Redis.Port);

    /// <summary>
    /// Fresh processes run their first requests through the JIT; production couriers are warm. Sends
    /// <paramref name="messages"/> one-recipient messages and one group message to as many warm-up students (chat ids
    /// 90,000,000+), waits until they all arrived and were reported (bounded), then empties the sandbox's inbox.
    /// </summary>
    public Task<JsonObject> WarmUpAsync(int messages, CancellationToken cancel) =>
        WarmUpAsync(messages, messages, "telegram", 90_000_000, clients: 16, cancel);

    /// <summary>
    /// The general warm-up: <paramref name="singles"/> one-recipient messages and one group message to
    /// <paramref name="groupSize"/> students of <paramref name="channel"/> (addresses from <paramref name="addressBase"/>,
    /// written by <paramref name="address"/> when the channel's addresses are not numbers).
    /// </summary>
    public async Task<JsonObject> WarmUpAsync(int singles, int groupSize, string channel, long addressBase, int clients,
        CancellationToken cancel, Func<long, string>? address = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var students = Enumerable.Range(0, Math.Max(singles, groupSize))
            .Select(i => new Student($"warm{i}", address?.Invoke(addressBase + i) ?? $"{addressBase + i}")).ToList();
        await AdaCalls.ImportAsync(Admin, students.Take(groupSize).ToList(), "warm", cancel, channel: channel);
        var single = await AdaCalls.QueueManyAsync(Admin, singles,
            i => AdaCalls.QueueBody($"Warm-up #{i}", users: [students[i].Id]), clients, TimeSpan.FromSeconds(60), cancel);
        await AdaCalls.QueueOneAsync(Admin, AdaCalls.QueueBody("Warm-up group", groups: ["warm"]), cancel);
        var expected = single.Accepted + groupSize;
        var within = TimeSpan.FromSeconds(Math.Max(60, expected / 10.0));
        var arrived = await AdaCalls.WaitUntilAsync(
            async () => await AdaCalls.InboxTotalAsync(SandboxHttp, cancel, channel) >= expected,
            within, TimeSpan.FromMilliseconds(200), cancel);
        // The last reports land after the last sends: a message leaves the due index with its final report.
        var reported = await AdaCalls.WaitUntilAsync(async () => await DueIndexSizeAsync() == 0,
            within, TimeSpan.FromMilliseconds(50), cancel);
        using (var cleared = await SandboxHttp.DeleteAsync("/sandbox/inbox", cancel))
        {
            cleared.EnsureSuccessStatusCode();
        }
        return new JsonObject
        {
            ["messages"] = single.Accepted + 1,
            ["sends"] = expected,
            ["allArrived"] = arrived,
            ["allReported"] = reported,
            ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 1),
        };
    }

    /// <summary>From now on the sandbox admits <paramref name="perSecond"/> Telegram messages a second, 429 beyond: Telegram's real limit.</summary>
    public async Task LimitTelegramAsync(int perSecond, CancellationToken cancel)
    {
        using var limits = await SandboxHttp.PutAsJsonAsync("/sandbox/telegram/limits", new { messagesPerSecond = perSecond }, cancel);
        await AdaCalls.EnsureAsync(limits, "sandbox limits", cancel);
    }

    /// <summary>Messages not yet finished by every expected channel (or not yet due).</summary>
    public async Task<long> DueIndexSizeAsync()
    {
        var db = Mux.GetDatabase();
        var sizes = await Task.WhenAll(Enumerable.Range(0, Ada.Core.Keys.DueShards).Select(s => db.SortedSetLengthAsync(Ada.Core.Keys.Due(s))));
        return sizes.Sum();
    }

    public async ValueTask DisposeAsync()
    {
        if (Processes is not null)
        {
            await Processes.DisposeAsync();
        }
        Admin?.Dispose();
        SandboxHttp?.Dispose();
        if (Mux is not null)
        {
            await Mux.DisposeAsync();
        }
        await Redis.DisposeAsync();
    }
}
