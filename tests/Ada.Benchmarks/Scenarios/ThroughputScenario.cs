namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// One message to 100,000 students through the Telegram courier, the sandbox unthrottled and the courier unpaced
/// (64 requests in flight): messages/s from the first to the last arrival, deliverAt → done, the courier's peak
/// RSS (VmHWM), and 0 duplicates / 0 missing by the sandbox's inbox summary.
/// </summary>
public sealed class ThroughputScenario : IScenario
{
    public string Name => "throughput";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        var n = quick ? 10_000 : 100_000;
        var limit = TimeSpan.FromSeconds(quick ? 120 : 400);
        const int concurrency = 64;

        var options = new StackOptions();
        options.Courier["Telegram__MessagesPerSecond"] = "0";
        options.Courier["Telegram__Concurrency"] = concurrency.ToString(CultureInfo.InvariantCulture);
        await using var stack = await BenchStack.StartAsync(options, cancel);
        var warmUp = await stack.WarmUpAsync(500, cancel);
        var students = Enumerable.Range(0, n).Select(i => new Student($"s{i}", $"{20_000_000 + i}")).ToList();
        var run = await BigSend.RunAsync(stack, "telegram", students, "Bench: one message to everyone", limit,
            TimeSpan.FromMilliseconds(250), Log, cancel);

        var details = run.Details(
            new JsonObject { ["concurrency"] = concurrency, ["messagesPerSecond"] = 0, ["maxConcurrentMessages"] = "default (4)" },
            warmUp);
        var met = run.Rate >= 3_000 && run.PeakMb <= 250 && run.Missing == 0 && run.Duplicates == 0 && run.Done;
        return run.Result(Name,
            $"{run.Rate:N0} msg/s; deliverAt->done {run.Total:0.0} s; courier peak RSS {run.PeakMb:0} MB; missing {run.Missing}, duplicates {run.Duplicates}",
            ">= 3,000 msg/s, RSS <= 250 MB, 0 missing/dup", met, details);
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [throughput] {line}");
}
