using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

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
        var import = await AdaCalls.ImportAsync(stack.Admin, students, "all", cancel);
        Log($"imported {n:N0} students and group 'all' in {import["seconds"]} s ({import["requests"]} requests)");
        var courierPid = stack.Courier.ProcessId;
        var rssBefore = Proc.StatusKb(courierPid, "VmRSS");

        var queueWatch = Stopwatch.StartNew();
        var answer = await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody("Bench: one message to everyone", groups: ["all"], sendAt: DateTimeOffset.UtcNow.AddSeconds(3)), cancel);
        var queueSeconds = queueWatch.Elapsed.TotalSeconds;
        var id = answer["id"]!.GetValue<string>();
        var deliverAtMs = AdaCalls.ReadDeliverAtMs(answer.ToJsonString());
        Log($"queued {id} to {answer["recipients"]} recipients in {queueSeconds:0.00} s");

        await AdaCalls.DelayUntilAsync(deliverAtMs, cancel);
        await RedisStats.ResetAsync(stack.RedisAdmin);
        var cpu = new CpuMeter(stack.Pids);
        var rssSampledPeak = 0L;
        JsonObject history = new();
        var done = await AdaCalls.WaitUntilAsync(async () =>
        {
            rssSampledPeak = Math.Max(rssSampledPeak, Proc.StatusKb(courierPid, "VmRSS"));
            history = await AdaCalls.HistoryAsync(stack.Admin, id, cancel);
            return history["state"]?.GetValue<string>() == "done";
        }, limit, TimeSpan.FromMilliseconds(250), cancel);
        var doneSeenMs = AdaCalls.NowMs;
        var cpuUse = cpu.Stop();
        var redisTop = await RedisStats.TopCommandsAsync(stack.RedisAdmin);
        var peakKb = Proc.StatusKb(courierPid, "VmHWM");

        var inbox = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel);
        var summary = await AdaCalls.InboxSummaryAsync(stack.SandboxHttp, cancel);
        var stats = await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel);
        var first = inbox.Count > 0 ? inbox.Min(m => m.ReceivedAtUnixMs) : 0;
        var last = inbox.Count > 0 ? inbox.Max(m => m.ReceivedAtUnixMs) : 0;
        var rate = inbox.Count > 1 && last > first ? (inbox.Count - 1) * 1000.0 / (last - first) : double.NaN;
        var finishedMs = FinishedMs(history) ?? doneSeenMs;
        var total = (finishedMs - deliverAtMs) / 1000.0;
        var chats = summary["chats"]!.GetValue<int>();
        var duplicates = summary["duplicates"]!.GetValue<int>();
        var missing = n - chats;
        var telegram = history["channels"]?["telegram"];
        var peakMb = peakKb / 1024.0;

        var details = new JsonObject
        {
            ["recipients"] = n,
            ["courier"] = new JsonObject { ["concurrency"] = concurrency, ["messagesPerSecond"] = 0, ["maxConcurrentMessages"] = "default (4)" },
            ["import"] = import,
            ["warmUp"] = warmUp,
            ["queueSeconds"] = Math.Round(queueSeconds, 3),
            ["done"] = done,
            ["firstArrivalAfterDeliverAtSeconds"] = Math.Round((first - deliverAtMs) / 1000.0, 3),
            ["firstToLastArrivalSeconds"] = Math.Round((last - first) / 1000.0, 2),
            ["messagesPerSecond"] = Math.Round(rate, 1),
            ["deliverAtToDoneSeconds"] = Math.Round(total, 2),
            ["history"] = new JsonObject
            {
                ["state"] = history["state"]?.GetValue<string>(),
                ["sent"] = telegram?["sent"]?.GetValue<int>(),
                ["failed"] = telegram?["failed"]?.GetValue<int>(),
                ["noContact"] = telegram?["noContact"]?.GetValue<int>(),
                ["startedAt"] = telegram?["startedAt"]?.ToString(),
                ["finishedAt"] = telegram?["finishedAt"]?.ToString(),
            },
            ["inbox"] = summary,
            ["missing"] = missing,
            ["sandbox"] = stats,
            ["courierRss"] = new JsonObject
            {
                ["beforeMb"] = Math.Round(rssBefore / 1024.0, 1),
                ["sampledPeakMb"] = Math.Round(rssSampledPeak / 1024.0, 1),
                ["vmHwmMb"] = Math.Round(peakMb, 1),
            },
            ["cpu"] = cpuUse,
            ["redisTopCommands"] = redisTop,
        };
        var met = rate >= 3_000 && peakMb <= 250 && missing == 0 && duplicates == 0 && done;
        return new ScenarioResult(Name,
            $"{rate:N0} msg/s; deliverAt->done {total:0.0} s; courier peak RSS {peakMb:0} MB; missing {missing}, duplicates {duplicates}",
            ">= 3,000 msg/s, RSS <= 250 MB, 0 missing/dup", met, details)
        {
            Evidence = $"{CpuMeter.Describe(cpuUse)}; redis: {RedisStats.Describe(redisTop)}",
        };
    }

    private static long? FinishedMs(JsonObject history)
    {
        var text = history["finishedAt"]?.ToString() ?? history["channels"]?["telegram"]?["finishedAt"]?.ToString();
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUnixTimeMilliseconds()
            : null;
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [throughput] {line}");
}
