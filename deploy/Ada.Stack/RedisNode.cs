using System.Globalization;
using StackExchange.Redis;

namespace Ada.Stack;

/// <summary>How one <see cref="RedisNode"/> runs.</summary>
public sealed record RedisNodeOptions
{
    /// <summary>The port; a free one at each start when null.</summary>
    public int? Port { get; init; }

    /// <summary>Where it keeps its files (kept after it stops); a new temporary directory, deleted on dispose, when null.</summary>
    public string? Dir { get; init; }

    /// <summary>A configuration file given first (deploy/redis.conf for the local run); the arguments override it.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Arguments after <c>--port</c> and <c>--dir</c>, e.g. <c>"--appendonly", "no"</c>.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Appended to the connection string that waits for PING (e.g. <c>",user=ada,password=…"</c>).</summary>
    public string Credentials { get; init; } = "";

    /// <summary>The name of its log file (when <see cref="Launch"/> has a directory) and in messages.</summary>
    public string Name { get; init; } = "redis";

    public Launch Launch { get; init; } = Launch.InMemory;
}

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1, ready once it answers PING (after loading its AOF). A missing
/// redis-server is an error that says what to install.
/// </summary>
public class RedisNode(RedisNodeOptions? options = null)
{
    private readonly RedisNodeOptions _options = options ?? new RedisNodeOptions();
    private ChildProcess? _process;
    private string[] _extraArgs = [];
    private bool _ownDir;

    public string Host => "127.0.0.1";
    public int Port { get; private set; }

    /// <summary>The directory redis-server runs in (and keeps its AOF/RDB files in); the same across restarts.</summary>
    public string Dir { get; private set; } = "";

    /// <summary>The process id of the running redis-server, or 0 when it is stopped.</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : 0;

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The last lines redis-server printed.</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>
    /// Starts on the configured port (or a new free one) and directory (or a new temporary one).
    /// <paramref name="extraArgs"/> come after the configured arguments and override them (redis-server keeps the
    /// last value), e.g. <c>"--appendonly", "yes", "--appendfsync", "always"</c>.
    /// </summary>
    public async Task StartAsync(params string[] extraArgs)
    {
        Port = _options.Port ?? Ports.Free();
        if (_options.Dir is { } dir)
        {
            Dir = dir;
        }
        else
        {
            Dir = Path.Combine(Path.GetTempPath(), $"ada-redis-{Port}-{Guid.NewGuid():N}");
            _ownDir = true;
        }
        Directory.CreateDirectory(Dir);
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
                using var mux = await ConnectionMultiplexer.ConnectAsync($"{Host}:{Port},connectTimeout=1000,allowAdmin=true{_options.Credentials}");
                await mux.GetServer(Host, Port).ExecuteAsync("SHUTDOWN");
            }
            catch (RedisException)
            {
                // SHUTDOWN closes the connection instead of answering.
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
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

    /// <summary>SIGTERM (redis-server writes its AOF and exits), SIGKILL after <paramref name="within"/>: the local run's stop.</summary>
    public Task<bool> TerminateAsync(TimeSpan within) => _process?.TerminateAsync(within) ?? Task.FromResult(true);

    /// <summary>Completes when redis-server exits (it was killed, or it failed).</summary>
    public Task WaitForExitAsync(CancellationToken cancel) => _process?.WaitForExitAsync(cancel) ?? Task.CompletedTask;

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
        var port = Port.ToString(CultureInfo.InvariantCulture);
        string[] arguments =
        [
            .. _options.ConfigFile is { } conf ? [conf] : Array.Empty<string>(),
            "--port", port, "--bind", Host, "--dir", Dir, .. _options.Arguments, .. extraArgs,
        ];
        _process = ChildProcess.Start(_options.Name, FindRedisServer(), arguments, _options.Launch, Dir);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var mux = await ConnectionMultiplexer.ConnectAsync($"{Host}:{Port},connectTimeout=500{_options.Credentials}");
                await mux.GetServer(Host, Port).PingAsync();
                return;
            }
            catch (RedisException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                // Not listening yet, or still loading its AOF (LOADING).
                await Task.Delay(50);
            }
            catch (RedisException e)
            {
                throw new InvalidOperationException(
                    _process.HasExited ? await _process.ExitReportAsync() : $"{_options.Name} on port {Port} did not answer PING within 60 s: {e.Message}\n{Output}", e);
            }
        }
    }

    public Task DisposeAsync()
    {
        _process?.Dispose();
        _process = null;
        if (_ownDir)
        {
            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return Task.CompletedTask;
    }

    public static string FindRedisServer() => Find("redis-server",
        "redis-server was not found on PATH. Install Debian's package: `sudo apt-get install -y redis-server` " +
        "(deploy/run.sh and the test command in the README do this for you).");

    public static string FindRedisCli() => Find("redis-cli",
        "redis-cli was not found on PATH; a Redis Cluster is created with it. Install Debian's package: " +
        "`sudo apt-get install -y redis-tools` (redis-server depends on it, so installing that is enough).");

    private static string Find(string command, string missing)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(missing);
    }
}
