using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Ada.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, started for a test run and killed after it.
/// Tests isolate themselves by database number (<see cref="NextDatabase"/>), so they run in parallel.
/// A missing redis-server is a failure that says what to install, never a skip.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IRedisEndpoint
{
    private const int Databases = 1024;
    private Process? _process;
    private int _nextDatabase;
    private string[] _extraArgs = [];

    public int Port { get; private set; }

    /// <summary>
    /// Appended to every connection string, for a redis-server started with an ACL user (e.g.
    /// <c>",user=ada,password=…"</c>); empty for the usual passwordless test server.
    /// </summary>
    public string Credentials { get; init; } = "";
    public string Host => "127.0.0.1";

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

    /// <summary>The directory redis-server runs in (and keeps its AOF/RDB files in); the same across restarts.</summary>
    public string Dir { get; private set; } = "";

    /// <summary>The process id of the running redis-server, or 0 when it is stopped.</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : 0;

    /// <summary>
    /// Starts on a new free port and a new directory. <paramref name="extraArgs"/> come after the defaults and
    /// override them (redis-server keeps the last value), e.g. <c>"--appendonly", "yes", "--appendfsync", "always"</c>.
    /// </summary>
    public async Task StartAsync(params string[] extraArgs)
    {
        Port = FreePort();
        Dir = Path.Combine(Path.GetTempPath(), $"ada-redis-{Port}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Dir);
        _extraArgs = extraArgs;
        await LaunchAsync(extraArgs);
    }

    /// <summary>
    /// Stops redis-server. <paramref name="graceful"/>: SHUTDOWN (an AOF is fsynced, no RDB is written with
    /// <c>--save ""</c>); otherwise SIGKILL, a crash: only what the AOF already holds survives.
    /// </summary>
    public async Task StopAsync(bool graceful = false)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }
        if (graceful)
        {
            try
            {
                using var mux = await ConnectionMultiplexer.ConnectAsync($"{Host}:{Port},connectTimeout=1000,allowAdmin=true");
                await mux.GetDatabase().ExecuteAsync("SHUTDOWN");
            }
            catch (RedisException)
            {
                // SHUTDOWN closes the connection instead of answering.
            }
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }
        }
        else
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
    }

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
    public Task StartAgainAsync(params string[] extraArgs)
    {
        if (Port == 0)
        {
            throw new InvalidOperationException("StartAgainAsync needs a first StartAsync.");
        }
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("redis-server is still running; StopAsync it first.");
        }
        _process?.Dispose();
        return LaunchAsync([.. _extraArgs, .. extraArgs]);
    }

    private async Task LaunchAsync(string[] extraArgs)
    {
        var binary = FindRedisServer();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Dir,
        };
        foreach (var arg in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--databases", Databases.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dir", Dir, "--notify-keyspace-events", "KEg$x", "--hz", "10",
        }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var mux = await ConnectionMultiplexer.ConnectAsync($"{Host}:{Port},connectTimeout=500{Credentials}");
                await mux.GetDatabase().PingAsync();
                return;
            }
            catch (RedisException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                // Not listening yet, or still loading its AOF (LOADING).
                await Task.Delay(50);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        try
        {
            if (Dir.Length > 0)
            {
                System.IO.Directory.Delete(Dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Task.CompletedTask;
    }

    public static string FindRedisServer()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            "redis-server was not found on PATH. Install Debian's package: `sudo apt-get install -y redis-server` " +
            "(the test command in the README does this for you).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// The name of the collection that shares one <see cref="RedisServer"/>. xunit wants the definition in each
/// test assembly: <c>[CollectionDefinition(RedisCollection.Name)] class … : ICollectionFixture&lt;RedisServer&gt;;</c>.
/// </summary>
public static class RedisCollection
{
    public const string Name = "redis";
}
