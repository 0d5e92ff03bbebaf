namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// Telegram's real limit: the sandbox admits 30 messages a second (429 beyond), the courier paces itself at its
/// default 30/s. One message to 1,950 students: the rate achieved over the first 60 s after the first arrival
/// as a share of 30/s, then (once done) lost recipients, extra copies and how often the sandbox throttled.
/// </summary>
public sealed class PacedScenario : IScenario
{
    public string Name => "paced";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        var n = quick ? 400 : 1_950;
        var window = TimeSpan.FromSeconds(quick ? 10 : 60);
        const double pace = 30;

        // The courier keeps its default pace (Telegram__MessagesPerSecond unset: 30/s).
        await using var stack = await BenchStack.StartAsync(new StackOptions(), cancel);
        // Warm-up at the courier's pace, before the sandbox enforces Telegram's limit.
        var warmUp = await stack.WarmUpAsync(30, cancel);
        await stack.LimitTelegramAsync(30, cancel);
        var students = Enumerable.Range(0, n).Select(i => new Student($"p{i}", $"{30_000_000 + i}")).ToList();
        await AdaCalls.ImportAsync(stack.Admin, students, "paced", cancel);
        var answer = await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody("Bench: paced", groups: ["paced"], sendAt: DateTimeOffset.UtcNow.AddSeconds(2)), cancel);
        var id = answer["id"]!.GetValue<string>();
        var deliverAtMs = AdaCalls.ReadDeliverAtMs(answer.ToJsonString());
        var cpu = new CpuMeter(stack.Pids);

        var started = await AdaCalls.WaitUntilAsync(
            async () => await AdaCalls.InboxTotalAsync(stack.SandboxHttp, cancel) > 0,
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), cancel);
        if (!started)
        {
            throw new InvalidOperationException($"nothing arrived within 30 s of queueing {id}");
        }
        var firstMs = (await AdaCalls.InboxAsync(stack.SandboxHttp, cancel)).Min(m => m.ReceivedAtUnixMs);
        await AdaCalls.DelayUntilAsync(firstMs + (long)window.TotalMilliseconds + 500, cancel);
        var early = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel);
        var inWindow = early.Count(m => m.ReceivedAtUnixMs >= firstMs && m.ReceivedAtUnixMs < firstMs + (long)window.TotalMilliseconds);
        var achieved = inWindow / window.TotalSeconds;
        var perSecond = new JsonArray(Enumerable.Range(0, (int)window.TotalSeconds)
            .Select(k => (JsonNode)early.Count(m => m.ReceivedAtUnixMs >= firstMs + k * 1000L && m.ReceivedAtUnixMs < firstMs + (k + 1) * 1000L))
            .ToArray());
        var share = achieved / pace;
        Console.Error.WriteLine($"  [paced] {inWindow} in the first {window.TotalSeconds:0} s = {achieved:0.0}/s ({share:P1} of 30/s)");

        JsonObject history = new();
        var done = await AdaCalls.WaitUntilAsync(async () =>
        {
            history = await AdaCalls.HistoryAsync(stack.Admin, id, cancel);
            return history["state"]?.GetValue<string>() == "done";
        }, TimeSpan.FromSeconds(n / pace * 1.5 + 60), TimeSpan.FromMilliseconds(500), cancel);
        var cpuUse = cpu.Stop();
        var inbox = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel);
        var summary = await AdaCalls.InboxSummaryAsync(stack.SandboxHttp, cancel);
        var stats = await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel);
        var expected = students.Select(s => s.ChatId).ToHashSet();
        var reached = inbox.Select(m => m.ChatId).Where(expected.Contains).ToHashSet();
        var lost = n - reached.Count;
        var duplicated = summary["duplicates"]!.GetValue<int>();
        var throttled = stats["telegram"]?["throttled"]?.GetValue<long>() ?? -1;
        var last = inbox.Count > 0 ? inbox.Max(m => m.ReceivedAtUnixMs) : firstMs;
        var overall = inbox.Count > 1 ? (inbox.Count - 1) * 1000.0 / Math.Max(1, last - firstMs) : double.NaN;
        var telegram = history["channels"]?["telegram"];

        var details = new JsonObject
        {
            ["recipients"] = n,
            ["paceMessagesPerSecond"] = pace,
            ["windowSeconds"] = window.TotalSeconds,
            ["firstArrivalAfterDeliverAtSeconds"] = Math.Round((firstMs - deliverAtMs) / 1000.0, 3),
            ["warmUp"] = warmUp,
            ["arrivedInWindow"] = inWindow,
            ["arrivalsPerSecond"] = perSecond,
            ["achievedPerSecond"] = Math.Round(achieved, 2),
            ["shareOfPace"] = Math.Round(share, 4),
            ["overallPerSecond"] = Math.Round(overall, 2),
            ["firstToLastArrivalSeconds"] = Math.Round((last - firstMs) / 1000.0, 1),
            ["done"] = done,
            ["lost"] = lost,
            ["duplicated"] = duplicated,
            ["sandbox"] = stats,
            ["inbox"] = summary,
            ["history"] = new JsonObject
            {
                ["state"] = history["state"]?.GetValue<string>(),
                ["sent"] = telegram?["sent"]?.GetValue<int>(),
                ["failed"] = telegram?["failed"]?.GetValue<int>(),
                ["errors"] = telegram?["errors"]?.DeepClone(),
            },
            ["cpu"] = cpuUse,
        };
        var met = share >= 0.95 && lost == 0 && duplicated == 0 && done;
        return new ScenarioResult(Name,
            $"{achieved:0.0}/s = {share:P1} of 30/s over {window.TotalSeconds:0} s; lost {lost}, duplicated {duplicated}, throttled {throttled}",
            ">= 95 % of 30/s, 0 lost, 0 dup", met, details);
    }
}
