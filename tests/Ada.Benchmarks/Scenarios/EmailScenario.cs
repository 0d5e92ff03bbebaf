using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// One message to 100,000 students through the email courier and the sandbox's SMTP server: one SMTP transaction per
/// person (own To and Message-ID), over the courier's pooled sessions (<c>Email__Concurrency</c>, default 4), unpaced
/// (<c>Email__MessagesPerSecond=0</c>: what one instance can do). Messages/s from the first to the last arrival,
/// deliverAt → done, SMTP sessions opened (sandbox <c>/sandbox/stats</c> email.sessions), the courier's peak RSS
/// (VmHWM), and 0 duplicates / 0 missing. The mass-mailing service Ada is compared with sent one million an hour
/// (278 a second) on twelve workers.
/// </summary>
public sealed class EmailScenario : IScenario
{
    private const double ComparedRate = 1_000_000 / 3600.0;
    private const int MessagesPerConnection = 1000;

    public string Name => "email";

    public static string Address(long n) => $"student{n}@students.example.edu";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        var n = quick ? 10_000 : 100_000;
        var limit = TimeSpan.FromSeconds(quick ? 120 : 900);

        var options = new StackOptions { Channel = "email" };
        options.Courier["Email__MessagesPerSecond"] = "0";
        await using var stack = await BenchStack.StartAsync(options, cancel);
        var warmUp = await stack.WarmUpAsync(singles: 20, groupSize: 500, "email", 900_000_000, clients: 4, cancel, Address);
        var students = Enumerable.Range(0, n).Select(i => new Student($"s{i}", Address(i))).ToList();
        var import = await AdaCalls.ImportAsync(stack.Admin, students, "all", cancel, channel: "email");
        Log($"imported {n:N0} students with email addresses and group 'all' in {import["seconds"]} s ({import["requests"]} requests)");
        var courierPid = stack.Courier.ProcessId;
        var rssBefore = Proc.StatusKb(courierPid, "VmRSS");
        var sessionsBefore = (await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel))["email"]!["sessions"]!.GetValue<long>();

        var queueWatch = Stopwatch.StartNew();
        var answer = await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody("Bench: one email to everyone\nThe lecture moves to room 305.", groups: ["all"],
                sendAt: DateTimeOffset.UtcNow.AddSeconds(3)), cancel);
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
        }, limit, TimeSpan.FromMilliseconds(200), cancel);
        var doneSeenMs = AdaCalls.NowMs;
        var cpuUse = cpu.Stop();
        var redisTop = await RedisStats.TopCommandsAsync(stack.RedisAdmin);
        var peakKb = Proc.StatusKb(courierPid, "VmHWM");

        var inbox = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel, "email");
        var summary = await AdaCalls.InboxSummaryAsync(stack.SandboxHttp, cancel, "email");
        var stats = await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel);
        var sessions = stats["email"]!["sessions"]!.GetValue<long>() - sessionsBefore;
        var first = inbox.Count > 0 ? inbox.Min(m => m.ReceivedAtUnixMs) : 0;
        var last = inbox.Count > 0 ? inbox.Max(m => m.ReceivedAtUnixMs) : 0;
        var rate = inbox.Count > 1 && last > first ? (inbox.Count - 1) * 1000.0 / (last - first) : double.NaN;
        var finishedMs = FinishedMs(history) ?? doneSeenMs;
        var total = (finishedMs - deliverAtMs) / 1000.0;
        var overall = total > 0 ? n / total : double.NaN;
        var chats = summary["chats"]!.GetValue<int>();
        var duplicates = summary["duplicates"]!.GetValue<int>();
        var missing = n - chats;
        var email = history["channels"]?["email"];
        var peakMb = peakKb / 1024.0;

        var details = new JsonObject
        {
            ["recipients"] = n,
            ["courier"] = new JsonObject
            {
                ["messagesPerSecond"] = "0 (unpaced)",
                ["concurrency"] = "default (4 SMTP sessions)",
            },
            ["import"] = import,
            ["warmUp"] = warmUp,
            ["queueSeconds"] = Math.Round(queueSeconds, 3),
            ["done"] = done,
            ["smtpSessions"] = sessions,
            ["firstArrivalAfterDeliverAtSeconds"] = Math.Round((first - deliverAtMs) / 1000.0, 3),
            ["firstToLastArrivalSeconds"] = Math.Round((last - first) / 1000.0, 2),
            ["messagesPerSecond"] = Math.Round(rate, 1),
            ["deliverAtToDoneSeconds"] = Math.Round(total, 2),
            ["messagesPerSecondDeliverAtToDone"] = Math.Round(overall, 1),
            ["comparedWithMessagesPerSecond"] = Math.Round(ComparedRate, 1),
            ["history"] = new JsonObject
            {
                ["state"] = history["state"]?.GetValue<string>(),
                ["sent"] = email?["sent"]?.GetValue<int>(),
                ["failed"] = email?["failed"]?.GetValue<int>(),
                ["noContact"] = email?["noContact"]?.GetValue<int>(),
                ["startedAt"] = email?["startedAt"]?.ToString(),
                ["finishedAt"] = email?["finishedAt"]?.ToString(),
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
        // One instance should at least match the compared service's twelve workers (278 a second), reusing its
        // sessions: each of the 4 says QUIT after Email__MessagesPerConnection (1000) messages and reconnects.
        var maxSessions = n / MessagesPerConnection + 4;
        var met = done && missing == 0 && duplicates == 0 && overall >= ComparedRate && sessions <= maxSessions && peakMb <= 250;
        return new ScenarioResult(Name,
            $"{rate:N0} msg/s first->last arrival; deliverAt->done {total:0.0} s ({overall:N0} msg/s); {sessions} SMTP sessions; " +
            $"courier peak RSS {peakMb:0} MB; missing {missing}, duplicates {duplicates}",
            $">= {ComparedRate:N0} msg/s (1M/h), <= {maxSessions} sessions, RSS <= 250 MB, 0 missing/dup", met, details)
        {
            Evidence = $"{CpuMeter.Describe(cpuUse)}; redis: {RedisStats.Describe(redisTop)}",
        };
    }

    private static long? FinishedMs(JsonObject history)
    {
        var text = history["finishedAt"]?.ToString() ?? history["channels"]?["email"]?["finishedAt"]?.ToString();
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUnixTimeMilliseconds()
            : null;
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [email] {line}");
}
