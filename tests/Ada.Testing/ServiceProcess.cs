using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Ada.Testing;

/// <summary>
/// One of Ada's services run as a real process (<c>dotnet services/X/bin/&lt;config&gt;/net10.0/X.dll</c>),
/// bound to a free loopback port, its output kept for the failure message.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(string name, Process process, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Environment = environment;
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Port { get; }

    /// <summary>The environment it was started with (on top of the inherited one): start another like it with these.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public bool HasExited => _process.HasExited;
    public int ProcessId => _process.Id;
    public string Output => string.Join('\n', _output);

    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string> environment,
        int? port = null, TimeSpan? readyWithin = null)
    {
        var dll = Path.Combine(RepositoryRoot(), "services", project, "bin", Configuration(), "net10.0", project + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first (dotnet build Ada.sln -c {Configuration()}).");
        }
        var chosen = port ?? RedisServer.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{chosen}");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{project} did not start");
        var service = new ServiceProcess(project, process, chosen, new Dictionary<string, string>(environment));
        try
        {
            await service.WaitReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            // Nobody holds a service that never became ready: stop it here, or it outlives the test run.
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    public async Task WaitReadyAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (_process.HasExited)
            {
                // HasExited can be true before the output handlers have read the last lines; this waits for their end of stream.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} was not ready within {within.TotalSeconds:0} s:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// SIGTERM, as a service manager stops a service: the host shuts down gracefully (a courier finishes the
    /// requests in flight, reports them and gives its claims back). Waits for the exit; SIGKILL after
    /// <paramref name="within"/> (default 30 s). Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? within = null)
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill")
            {
                ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("kill did not start"))
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                throw new TimeoutException($"{Name} did not stop within {(within ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s of SIGTERM:\n{Output}");
            }
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up (a crash).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ada.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Ada.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The configuration the tests were built with; the services are built the same way.</summary>
    public static string Configuration() =>
        typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 400)
        {
            _output.TryDequeue(out _);
        }
    }
}
