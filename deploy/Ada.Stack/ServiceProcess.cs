using System.Reflection;

namespace Ada.Stack;

/// <summary>
/// One of Ada's services run as a real process (<c>dotnet services/X/bin/&lt;config&gt;/net10.0/X.dll</c>) in its build
/// output (so it finds its appsettings.json), bound to a loopback port, ready once <c>/health/ready</c> answers.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ServiceProcess(string project, ChildProcess process, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = project;
        _process = process;
        Port = port;
        Environment = environment;
    }

    /// <summary>The project, e.g. <c>Ada.Couriers.Telegram</c>.</summary>
    public string Name { get; }
    public int Port { get; }

    /// <summary>The environment it was started with (on top of the inherited one): start another like it with these.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public bool HasExited => _process.HasExited;
    public int ProcessId => _process.Id;
    public string Output => _process.Output;
    internal ChildProcess Process => _process;

    /// <param name="logName">The name of its log file when <paramref name="launch"/> has a log directory (the project's name otherwise).</param>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string> environment,
        int? port = null, TimeSpan? readyWithin = null, Launch? launch = null, string? logName = null)
    {
        var dll = Path.Combine(RepositoryRoot(), "services", project, "bin", Configuration(), "net10.0", project + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first (dotnet build Ada.sln -c {Configuration()}).");
        }
        var chosen = port ?? Ports.Free();
        var settings = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }
        var process = ChildProcess.Start(logName ?? project, "dotnet", [dll, "--urls", $"http://127.0.0.1:{chosen}"],
            launch ?? Launch.InMemory, Path.GetDirectoryName(dll)!, settings);
        var service = new ServiceProcess(project, process, chosen, new Dictionary<string, string>(environment));
        try
        {
            await service.WaitReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
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
                throw new InvalidOperationException(await _process.ExitReportAsync());
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
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
    /// <paramref name="within"/> (default 30 s), then throws. Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(30);
        if (!await _process.TerminateAsync(limit))
        {
            throw new TimeoutException($"{Name} did not stop within {limit.TotalSeconds:0} s of SIGTERM:\n{Output}");
        }
        return _process.ExitCode;
    }

    public Task WaitForExitAsync(CancellationToken cancel = default) => _process.WaitForExitAsync(cancel);

    /// <summary>SIGKILL: the process gets no chance to clean up (a crash).</summary>
    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The checkout this runs from: the directory above the running assembly that holds Ada.sln.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ada.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Ada.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The configuration this was built with; the services are built the same way.</summary>
    public static string Configuration() =>
        typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
}
