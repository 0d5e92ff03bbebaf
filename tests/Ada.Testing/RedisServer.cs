namespace Ada.Testing;

/// <summary>
/// The tests' <c>redis-server</c> (deploy/Ada.Stack's <see cref="RedisNode"/>) on a free loopback port, started for a
/// test run and killed after it: no persistence, keyspace events on, 1,024 databases. Tests isolate themselves by
/// database number (<see cref="NextDatabase"/>), so they run in parallel. A missing redis-server is a failure that
/// says what to install, never a skip.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IRedisEndpoint
{
    private const int Databases = 1024;
    private RedisNode? _node;
    private int _nextDatabase;

    /// <summary>
    /// Appended to every connection string, for a redis-server started with an ACL user (e.g.
    /// <c>",user=ada,password=…"</c>); empty for the usual passwordless test server.
    /// </summary>
    public string Credentials { get; init; } = "";
    public string Host => "127.0.0.1";
    public int Port => Node.Port;

    /// <summary>The directory redis-server runs in (and keeps its AOF/RDB files in); the same across restarts.</summary>
    public string Dir => Node.Dir;

    /// <summary>The process id of the running redis-server, or 0 when it is stopped.</summary>
    public int ProcessId => _node?.ProcessId ?? 0;

    private RedisNode Node => _node ?? throw new InvalidOperationException("The redis-server was not started.");

    public Task InitializeAsync() => StartAsync();

    /// <summary>A fresh database no other test in this run uses.</summary>
    public int NextDatabase()
    {
        var db = Interlocked.Increment(ref _nextDatabase);
        if (db >= Databases)
        {
            throw new InvalidOperationException($"More than {Databases - 1} databases were asked of one redis-server.");
        }
        return db;
    }

    public string ConnectionString(int database) => $"{Host}:{Port},defaultDatabase={database},abortConnect=false{Credentials}";

    /// <summary>A fresh database (<see cref="NextDatabase"/>) and the connection string that selects it.</summary>
    public Task<RedisTarget> NewTargetAsync()
    {
        var database = NextDatabase();
        return Task.FromResult(new RedisTarget(ConnectionString(database), database));
    }

    /// <summary>
    /// Starts on a new free port and a new directory. <paramref name="extraArgs"/> come after the defaults and
    /// override them (redis-server keeps the last value), e.g. <c>"--appendonly", "yes", "--appendfsync", "always"</c>.
    /// </summary>
    public Task StartAsync(params string[] extraArgs)
    {
        _node = new RedisNode(new RedisNodeOptions
        {
            Credentials = Credentials,
            Arguments =
            [
                "--save", "", "--appendonly", "no", "--databases", Databases.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--notify-keyspace-events", "KEg$x", "--hz", "10",
            ],
        });
        return _node.StartAsync(extraArgs);
    }

    /// <summary>
    /// Stops redis-server. <paramref name="graceful"/>: SHUTDOWN (an AOF is fsynced, no RDB is written with
    /// <c>--save ""</c>); otherwise SIGKILL, a crash: only what the AOF already holds survives.
    /// </summary>
    public Task StopAsync(bool graceful = false) => Node.StopAsync(graceful);

    /// <summary>
    /// A redis-server as <c>deploy/redis.production.conf</c> sets it up: the default user off and Ada's ACL user
    /// <c>ada</c> with <paramref name="password"/> (its rules read from the conf itself, so tests follow the file).
    /// <see cref="ConnectionString"/> carries <c>user=ada,password=…</c>.
    /// </summary>
    public static async Task<RedisServer> StartWithAdaUserAsync(string password)
    {
        var conf = await File.ReadAllLinesAsync(Path.Combine(ServiceProcess.RepositoryRoot(), "deploy", "redis.production.conf"));
        var ada = conf.Single(line => line.StartsWith("user ada ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Select(word => word.StartsWith('>') ? ">" + password : word);
        var redis = new RedisServer { Credentials = $",user=ada,password={password}" };
        await redis.StartAsync(["--user", "default", "off", "--user", .. ada]);
        return redis;
    }

    /// <summary>
    /// Starts redis-server again on the same port and directory with the arguments of the first start, then
    /// <paramref name="extraArgs"/> (which override them): with AOF on, the data comes back; the script cache does not.
    /// </summary>
    public Task StartAgainAsync(params string[] extraArgs) => Node.StartAgainAsync(extraArgs);

    public Task DisposeAsync() => _node?.DisposeAsync() ?? Task.CompletedTask;
}

/// <summary>
/// The name of the collection that shares one <see cref="RedisServer"/>. xunit wants the definition in each
/// test assembly: <c>[CollectionDefinition(RedisCollection.Name)] class … : ICollectionFixture&lt;RedisServer&gt;;</c>.
/// </summary>
public static class RedisCollection
{
    public const string Name = "redis";
}
