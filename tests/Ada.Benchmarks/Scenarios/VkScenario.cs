using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// One message to 100,000 students through the VK courier: the sandbox unthrottled, the courier at VK's real limit
/// (<c>Vk__RequestsPerSecond=20</c>). Each HTTP request is one <c>execute</c> of 25 <c>messages.send</c> calls of 100
/// peers, so 100,000 people are 40 requests (sandbox <c>/sandbox/stats</c> vk.requests); messages/s from the first
/// to the last arrival, deliverAt → done, the courier's peak RSS (VmHWM), and 0 duplicates / 0 missing.
/// </summary>
public sealed class VkScenario : IScenario
{
    private const int PeopleAtOnce = 2_500; // one execute: 25 calls x 100 peer_ids
    private const double RequestsPerSecond = 20;

    public string Name => "vk";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        var n = quick ? 10_000 : 100_000;
        var limit = TimeSpan.FromSeconds(quick ? 60 : 180);
        var expectedRequests = (n + PeopleAtOnce - 1) / PeopleAtOnce;

        var options = new StackOptions { Channel = "vk" };
        options.Sandbox["Sandbox__Vk__RequestsPerSecond"] = "0";
        options.Courier["Vk__RequestsPerSecond"] = RequestsPerSecond.ToString(CultureInfo.InvariantCulture);
        await using var stack = await BenchStack.StartAsync(options, cancel);
        // JIT warm-up without spending many of the 20 requests a second: one group message to 2,500 students (one
        // request) and 10 one-recipient messages.
        var warmUp = await stack.WarmUpAsync(singles: 10, groupSize: PeopleAtOnce, "vk", 290_000_000, clients: 4, cancel);
        var students = Enumerable.Range(0, n).Select(i => new Student($"s{i}", $"{300_000_000 + i}")).ToList();
        var import = await AdaCalls.ImportAsync(stack.Admin, students, "all", cancel, channel: "vk");
        Log($"imported {n:N0} students with VK ids and group 'all' in {import["seconds"]} s ({import["requests"]} requests)");
        var courierPid = stack.Courier.ProcessId;
        var rssBefore = Proc.StatusKb(courierPid, "VmRSS");
        var requestsBefore = await VkRequestsAsync(stack, cancel);

        var queueWatch = Stopwatch.StartNew();
        var answer = await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody("Bench: one VK message to everyone", groups: ["all"], sendAt: DateTimeOffset.UtcNow.AddSeconds(3)), cancel);
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
        }, limit, TimeSpan.FromMilliseconds(100), cancel);
        var doneSeenMs = AdaCalls.NowMs;
        var cpuUse = cpu.Stop();
        var redisTop = await RedisStats.TopCommandsAsync(stack.RedisAdmin);
        var peakKb = Proc.StatusKb(courierPid, "VmHWM");

        var inbox = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel, "vk");
        var summary = await AdaCalls.InboxSummaryAsync(stack.SandboxHttp, cancel, "vk");
        var stats = await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel);
        var requests = stats["vk"]!["requests"]!.GetValue<long>() - requestsBefore;
        var first = inbox.Count > 0 ? inbox.Min(m => m.ReceivedAtUnixMs) : 0;
        var last = inbox.Count > 0 ? inbox.Max(m => m.ReceivedAtUnixMs) : 0;
        var rate = inbox.Count > 1 && last > first ? (inbox.Count - 1) * 1000.0 / (last - first) : double.NaN;
        var finishedMs = FinishedMs(history) ?? doneSeenMs;
        var total = (finishedMs - deliverAtMs) / 1000.0;
        var overall = total > 0 ? n / total : double.NaN;
        var chats = summary["chats"]!.GetValue<int>();
        var duplicates = summary["duplicates"]!.GetValue<int>();
        var missing = n - chats;
        var vk = history["channels"]?["vk"];
        var peakMb = peakKb / 1024.0;

        var details = new JsonObject
        {
            ["recipients"] = n,
            ["courier"] = new JsonObject
            {
                ["requestsPerSecond"] = RequestsPerSecond,
                ["peoplePerRequest"] = PeopleAtOnce,
                ["concurrency"] = "default (4)",
            },
            ["sandboxRequestsPerSecond"] = 0,
            ["import"] = import,
            ["warmUp"] = warmUp,
            ["queueSeconds"] = Math.Round(queueSeconds, 3),
            ["done"] = done,
            ["httpRequests"] = requests,
            ["expectedHttpRequests"] = expectedRequests,
            ["firstArrivalAfterDeliverAtSeconds"] = Math.Round((first - deliverAtMs) / 1000.0, 3),
            ["firstToLastArrivalSeconds"] = Math.Round((last - first) / 1000.0, 2),
            ["messagesPerSecond"] = Math.Round(rate, 1),
            ["deliverAtToDoneSeconds"] = Math.Round(total, 2),
            ["messagesPerSecondDeliverAtToDone"] = Math.Round(overall, 1),
            ["history"] = new JsonObject
            {
                ["state"] = history["state"]?.GetValue<string>(),
                ["sent"] = vk?["sent"]?.GetValue<int>(),
                ["failed"] = vk?["failed"]?.GetValue<int>(),
                ["noContact"] = vk?["noContact"]?.GetValue<int>(),
                ["startedAt"] = vk?["startedAt"]?.ToString(),
                ["finishedAt"] = vk?["finishedAt"]?.ToString(),
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
        // 40 requests at 20/s: about 2 s once the bucket's first second is spent; 10 s leaves room for the
        // due tick, claims, Redis reports and the sandbox.
        var met = done && requests == expectedRequests && missing == 0 && duplicates == 0 && total <= 10 && peakMb <= 250;
        return new ScenarioResult(Name,
            $"{requests} requests; {rate:N0} msg/s first->last arrival; deliverAt->done {total:0.0} s ({overall:N0} msg/s); " +
            $"courier peak RSS {peakMb:0} MB; missing {missing}, duplicates {duplicates}",
            $"{expectedRequests} requests, <= 10 s, RSS <= 250 MB, 0 missing/dup", met, details)
        {
            Evidence = $"{CpuMeter.Describe(cpuUse)}; redis: {RedisStats.Describe(redisTop)}",
        };
    }

    private static async Task<long> VkRequestsAsync(BenchStack stack, CancellationToken cancel) =>
        (await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel))["vk"]!["requests"]!.GetValue<long>();

    private static long? FinishedMs(JsonObject history)
    {
        var text = history["finishedAt"]?.ToString() ?? history["channels"]?["vk"]?["finishedAt"]?.ToString();
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUnixTimeMilliseconds()
            : null;
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [vk] {line}");
}
