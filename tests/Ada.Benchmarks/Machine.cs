using System.Runtime.InteropServices;

namespace Ada.Benchmarks;

/// <summary>What the numbers were measured on.</summary>
public static class Machine
{
    public static JsonObject Describe() => new()
    {
        ["nproc"] = Environment.ProcessorCount,
        ["cpuModel"] = CpuModel(),
        ["ramGb"] = MemTotalGb(),
        ["os"] = OsRelease() ?? RuntimeInformation.OSDescription,
        ["kernel"] = RuntimeInformation.OSDescription,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["redisServer"] = RedisVersion(),
        ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
    };

    private static string? CpuModel() => Try(() => File.ReadLines("/proc/cpuinfo")
        .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim());

    private static double? MemTotalGb()
    {
        var line = Try(() => File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)));
        return line is null ? null : Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0 / 1024.0, 1);
    }

    private static string? OsRelease() => Try(() => File.ReadLines("/etc/os-release")
        .FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"'));

    private static string? RedisVersion() => Try(() =>
    {
        using var process = Process.Start(new ProcessStartInfo(RedisNode.FindRedisServer(), "--version")
        {
            RedirectStandardOutput = true,
        })!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit(5000);
        return text;
    });

    private static string? Try(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
            or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
