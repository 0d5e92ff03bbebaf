using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Ada.Stack;

/// <summary>How the processes of a stack are started: where their output goes and which process group they join.</summary>
public sealed record Launch
{
    /// <summary>The tests' way: output kept in memory only, processes in the caller's process group.</summary>
    public static readonly Launch InMemory = new();

    /// <summary>When set, each process's output is also written to <c>&lt;dir&gt;/&lt;name&gt;.log</c> (the local run: .run/logs).</summary>
    public string? LogDirectory { get; init; }

    /// <summary>
    /// Each process in a session (and process group) of its own, through setsid: Ctrl+C in the terminal then
    /// reaches only the local run, which stops the services in order (Redis last, so it outlives its clients).
    /// </summary>
    public bool OwnProcessGroup { get; init; }
}

/// <summary>
/// A process this stack started: its last output lines (for a failure message), optionally a log file, a graceful
/// stop (SIGTERM, SIGKILL after a deadline) and a crash (SIGKILL). Only processes started here are ever signalled.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int KeptLines = 400;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly StreamWriter? _log;

    private ChildProcess(string name, Process process, StreamWriter? log)
    {
        Name = name;
        _process = process;
        _log = log;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines it printed (stdout and stderr together).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Where its output is written too, or null.</summary>
    public string? LogFile { get; private init; }

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, Launch launch,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(launch.OwnProcessGroup ? "setsid" : fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (launch.OwnProcessGroup)
        {
            // A child of this process is not a process-group leader, so setsid execs without forking: the PID is
            // the service's own.
            start.ArgumentList.Add(fileName);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        StreamWriter? log = null;
        string? logFile = null;
        if (launch.LogDirectory is { } dir)
        {
            logFile = Path.Combine(dir, name + ".log");
            // The log holds what a service prints (contacts, ids): its owner's alone, whatever the umask.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            var stream = new FileStream(logFile, options);
            log = new StreamWriter(stream) { AutoFlush = true };
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        // Nothing is ever typed to a service: its stdin is closed, as run.sh's </dev/null did.
        process.StandardInput.Close();
        return new ChildProcess(name, process, log) { LogFile = logFile };
    }

    public Task WaitForExitAsync(CancellationToken cancel = default) => _process.WaitForExitAsync(cancel);

    /// <summary>
    /// SIGTERM, as a service manager stops a service (a .NET host shuts down gracefully, Redis writes its AOF);
    /// SIGKILL after <paramref name="within"/>. Returns whether it stopped by itself.
    /// </summary>
    public async Task<bool> TerminateAsync(TimeSpan within)
    {
        if (_process.HasExited)
        {
            return true;
        }
        Signal("TERM");
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return false;
        }
    }

    /// <summary>SIGKILL of it and whatever it spawned: no chance to clean up (a crash).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>The exit code and the last lines, for a failure message.</summary>
    public async Task<string> ExitReportAsync()
    {
        // HasExited can be true before the output handlers have read the last lines; this waits for their end of stream.
        await _process.WaitForExitAsync();
        return $"{Name} exited with code {_process.ExitCode}" + (LogFile is null ? "" : $" (log: {LogFile})") + $":\n{Output}";
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_output)
        {
            _log?.Dispose();
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > KeptLines)
        {
            _output.TryDequeue(out _);
        }
        lock (_output)
        {
            try
            {
                _log?.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
