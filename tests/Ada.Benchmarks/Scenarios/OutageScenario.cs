namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// Issue 11's "queue while the only courier has been down 65 s": the one Telegram courier is killed (SIGKILL),
/// 65 s later a message to a 10-person group is queued (due at once; the answer must be 202, not 409), 5 s later the
/// courier starts again; measured: how long after the new courier's start every one of the 10 arrived.
/// </summary>
public sealed class OutageScenario : IScenario
{
    public string Name => "outage";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        // The API counts a courier gone after 30 s without a heartbeat; quick stays past that too.
        var down = TimeSpan.FromSeconds(quick ? 35 : 65);
        var beforeReturn = TimeSpan.FromSeconds(5);
        const int group = 10;
        const double aimSeconds = 5;

        var options = new StackOptions();
        options.Courier["Telegram__MessagesPerSecond"] = "0";
        await using var stack = await BenchStack.StartAsync(options, cancel);
        var warmUp = await stack.WarmUpAsync(20, cancel);
        var students = Enumerable.Range(1, group).Select(i => new Student($"o{i}", $"{60_000_000 + i}")).ToList();
        await AdaCalls.ImportAsync(stack.Admin, students, "outage", cancel);

        stack.KillCourier();
        Log($"courier killed; waiting {down.TotalSeconds:0} s");
        await Task.Delay(down, cancel);
        HttpStatusCode status;
        string answer;
        using (var response = await stack.Admin.PostAsync("/v1/queue",
            AdaCalls.JsonContent(AdaCalls.QueueBody("Bench: outage", groups: ["outage"])), cancel))
        {
            status = response.StatusCode;
            answer = await response.Content.ReadAsStringAsync(cancel);
        }
        Log($"queued while down: {(int)status}");
        var accepted = status == HttpStatusCode.Accepted;
        double? afterStart = null;
        double? afterReady = null;
        var arrived = 0;
        if (accepted)
        {
            await Task.Delay(beforeReturn, cancel);
            var launched = Stopwatch.StartNew();
            await stack.RestartCourierAsync();
            var ready = launched.Elapsed.TotalSeconds;
            var all = await AdaCalls.WaitUntilAsync(
                async () => await AdaCalls.InboxTotalAsync(stack.SandboxHttp, cancel) >= group,
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50), cancel);
            arrived = await AdaCalls.InboxTotalAsync(stack.SandboxHttp, cancel);
            if (all)
            {
                afterStart = Math.Round(launched.Elapsed.TotalSeconds, 2);
                afterReady = Math.Round(launched.Elapsed.TotalSeconds - ready, 2);
            }
            Log($"courier back (ready after {ready:0.00} s); {arrived}/{group} arrived {afterStart} s after its start");
        }
        var details = new JsonObject
        {
            ["downSeconds"] = down.TotalSeconds,
            ["queuedStatus"] = (int)status,
            ["queuedAnswer"] = answer.Length > 600 ? answer[..600] : answer,
            ["courierReturnedSecondsAfterQueue"] = beforeReturn.TotalSeconds,
            ["recipients"] = group,
            ["arrived"] = arrived,
            ["allArrivedSecondsAfterCourierStart"] = afterStart,
            ["allArrivedSecondsAfterCourierReady"] = afterReady,
            ["warmUp"] = warmUp,
        };
        var met = accepted && afterStart is <= aimSeconds;
        return new ScenarioResult(Name,
            accepted
                ? $"{(int)status} after {down.TotalSeconds:0} s down; {arrived}/{group} delivered {afterStart?.ToString("0.0") ?? "-"} s after the courier's start ({afterReady?.ToString("0.0") ?? "-"} s after ready)"
                : $"{(int)status} after {down.TotalSeconds:0} s down",
            $"202; delivered <= {aimSeconds:0} s after the courier returns (issue 11; was 409)", met, details);
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [outage] {line}");
}
