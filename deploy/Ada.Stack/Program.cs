namespace Ada.Stack;

/// <summary>deploy/run.sh: the local run. The same classes start Ada for the end-to-end and reliability tests and the benchmark.</summary>
internal static class Program
{
    private static async Task<int> Main()
    {
        if (!OperatingSystem.IsLinux())
        {
            await Console.Error.WriteLineAsync("error: the local run starts its processes with setsid and keeps .run/ owner-only: it runs on Linux");
            return 1;
        }
        return await LocalRun.MainAsync();
    }
}
