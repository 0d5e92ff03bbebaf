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
public sealed class RedisServer : IAsyncLifetime
{
    private const int Databases = 1024;
    private Process? _process;
    private int _nextDatabase;

    public int Port { get; private set; }
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

    public string ConnectionString(int database) => $"{Host}:{Port},defaultDatabase={database},abortConnect=false";

    public async Task StartAsync(params string[] extraArgs)
    {
        var binary = FindRedisServer();
        Port = FreePort();
        var dir = Path.Combine(Path.GetTempPath(), $"ada-redis-{Port}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(dir);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        foreach (var arg in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--databases", Databases.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dir", dir, "--notify-keyspace-events", "KEg$x", "--hz", "10",
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
                using var mux = await ConnectionMultiplexer.ConnectAsync($"{Host}:{Port},connectTimeout=500");
                await mux.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
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
