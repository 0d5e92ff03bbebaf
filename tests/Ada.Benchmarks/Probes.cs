namespace Ada.Benchmarks;

/// <summary>Linux /proc readings: CPU time and memory of the stack's processes.</summary>
public static class Proc
{
    /// <summary>USER_HZ: clock ticks per second of /proc/&lt;pid&gt;/stat; 100 on every mainstream Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of a process in seconds, or NaN when it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
            return (long.Parse(rest[11]) + long.Parse(rest[12])) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>A field of /proc/&lt;pid&gt;/status in kB (VmRSS, VmHWM …), or -1.</summary>
    public static long StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
                }
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }

    /// <summary>Machine-wide busy and total jiffies from /proc/stat (all CPUs).</summary>
    public static (long Busy, long Total) MachineJiffies()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(long.Parse).ToArray();
        var idle = cpu[3] + (cpu.Length > 4 ? cpu[4] : 0);
        var total = cpu.Take(8).Sum();
        return (total - idle, total);
    }
}

/// <summary>
/// CPU used by each process of a stack over one phase: seconds, and cores (seconds per wall second), plus
/// how busy the whole machine was. On a small machine this says who ate the CPU.
/// </summary>
public sealed class CpuMeter
{
    private readonly IReadOnlyDictionary<string, int> _pids;
    private readonly Dictionary<string, double> _start;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly (long Busy, long Total) _machine;

    public CpuMeter(IReadOnlyDictionary<string, int> pids)
    {
        _pids = pids;
        _start = pids.ToDictionary(p => p.Key, p => Proc.CpuSeconds(p.Value));
        _machine = Proc.MachineJiffies();
    }

    public JsonObject Stop()
    {
        var wall = _wall.Elapsed.TotalSeconds;
        var machine = Proc.MachineJiffies();
        var result = new JsonObject { ["wallSeconds"] = Math.Round(wall, 2) };
        var processes = new JsonObject();
        foreach (var (name, pid) in _pids)
        {
            var used = Proc.CpuSeconds(pid) - _start[name];
            processes[name] = new JsonObject
            {
                ["cpuSeconds"] = Math.Round(used, 2),
                ["cores"] = Math.Round(used / wall, 2),
            };
        }
        result["processes"] = processes;
        var total = machine.Total - _machine.Total;
        var busyShare = total > 0 ? (double)(machine.Busy - _machine.Busy) / total : double.NaN;
        result["machineBusyShare"] = double.IsNaN(busyShare) ? null : Math.Round(busyShare, 3);
        // CPU the machine spent outside this stack (other people's builds and tests share it).
        var ours = processes.Sum(p => p.Value!["cpuSeconds"]!.GetValue<double>());
        var others = busyShare * Environment.ProcessorCount * wall - ours;
        result["otherProcessesCores"] = double.IsNaN(others) ? null : Math.Round(Math.Max(0, others) / wall, 2);
        return result;
    }

    /// <summary>"api 0.9, redis 0.6, courier 0.1 …": cores used by each process, busiest first.</summary>
    public static string Describe(JsonObject cpu)
    {
        var parts = cpu["processes"]!.AsObject()
            .Select(p => (p.Key, Cores: p.Value!["cores"]!.GetValue<double>()))
            .OrderByDescending(p => p.Cores)
            .Select(p => $"{p.Key} {p.Cores:0.00}");
        return $"cores: {string.Join(", ", parts)}, other processes {cpu["otherProcessesCores"]}; " +
            $"machine busy {cpu["machineBusyShare"]?.GetValue<double>() * 100:0}%";
    }
}

/// <summary>Redis's own account of a phase: which commands took its time (INFO commandstats after CONFIG RESETSTAT).</summary>
public static class RedisStats
{
    public static async Task ResetAsync(IServer server) => await server.ConfigResetStatisticsAsync();

    public static async Task<JsonArray> TopCommandsAsync(IServer server, int top = 8)
    {
        var raw = await server.InfoRawAsync("commandstats") ?? "";
        var rows = new List<(string Command, long Calls, long Usec, double PerCall)>();
        foreach (var line in raw.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var fields = line[(colon + 1)..].Split(',').Select(f => f.Split('=')).Where(f => f.Length == 2)
                .ToDictionary(f => f[0], f => f[1]);
            rows.Add((line[8..colon], long.Parse(fields["calls"]), long.Parse(fields["usec"]),
                double.Parse(fields["usec_per_call"], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return new JsonArray(rows.OrderByDescending(r => r.Usec).Take(top).Select(r => (JsonNode)new JsonObject
        {
            ["command"] = r.Command,
            ["calls"] = r.Calls,
            ["seconds"] = Math.Round(r.Usec / 1e6, 3),
            ["usecPerCall"] = Math.Round(r.PerCall, 1),
        }).ToArray());
    }

    public static string Describe(JsonArray top) =>
        string.Join(", ", top.Take(4).Select(c =>
            $"{c!["command"]} {c["calls"]}x{c["usecPerCall"]}us={c["seconds"]}s"));
}

/// <summary>Nearest-rank percentiles.</summary>
public static class Percentiles
{
    public static double Of(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static JsonObject Summary(IEnumerable<double> values, int decimals = 1)
    {
        var sorted = values.Order().ToArray();
        JsonNode? R(double v) => double.IsNaN(v) ? null : Math.Round(v, decimals);
        return new JsonObject
        {
            ["count"] = sorted.Length,
            ["min"] = R(sorted.Length > 0 ? sorted[0] : double.NaN),
            ["p50"] = R(Of(sorted, 0.50)),
            ["p90"] = R(Of(sorted, 0.90)),
            ["p99"] = R(Of(sorted, 0.99)),
            ["max"] = R(sorted.Length > 0 ? sorted[^1] : double.NaN),
            ["mean"] = R(sorted.Length > 0 ? sorted.Average() : double.NaN),
        };
    }
}

/// <summary>Other people's builds and tests share the machine: wait (bounded) until it is quiet before measuring.</summary>
public static class Quiet
{
    /// <summary>Samples the machine's busy share each second until it stays below the threshold for 3 s or time runs out.</summary>
    public static async Task<JsonObject> WaitAsync(TimeSpan within, CancellationToken cancel, double threshold = 0.2)
    {
        var watch = Stopwatch.StartNew();
        var calm = 0;
        var last = double.NaN;
        for (var i = 0; i < 3600 && watch.Elapsed < within && calm < 3; i++)
        {
            var before = Proc.MachineJiffies();
            await Task.Delay(1000, cancel);
            var after = Proc.MachineJiffies();
            last = (double)(after.Busy - before.Busy) / Math.Max(1, after.Total - before.Total);
            calm = last < threshold ? calm + 1 : 0;
        }
        return new JsonObject
        {
            ["quiet"] = calm >= 3,
            ["waitedSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 1),
            ["lastBusyShare"] = double.IsNaN(last) ? null : Math.Round(last, 3),
            ["loadAverage"] = File.ReadAllText("/proc/loadavg").Trim(),
        };
    }
}
