namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// Issue 11's "SIGKILL of a Telegram courier mid-send at 300 msg/s": one message to 6,000 students through a courier
/// paced at 300/s (<c>Telegram__Concurrency</c> 16, the default: at most 16 requests in flight); once a third has
/// arrived the courier is killed (SIGKILL) and a new one started at once; it takes the message over when the claim
/// lapses. Duplicates (extra copies to one chat) are counted by the sandbox's inbox summary.
/// </summary>
public sealed class KillScenario : IScenario
{
    public string Name => "kill";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        var n = quick ? 2_000 : 6_000;
        const int pace = 300;
        const int inFlight = 16;

        var options = new StackOptions();
        options.Courier["Telegram__MessagesPerSecond"] = pace.ToString(CultureInfo.InvariantCulture);
        options.Courier["Telegram__Concurrency"] = inFlight.ToString(CultureInfo.InvariantCulture);
        await using var stack = await BenchStack.StartAsync(options, cancel);
        var warmUp = await stack.WarmUpAsync(100, cancel);
        var students = Enumerable.Range(0, n).Select(i => new Student($"k{i}", $"{40_000_000 + i}")).ToList();
        await AdaCalls.ImportAsync(stack.Admin, students, "all", cancel);

        var answer = await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody("Bench: kill", groups: ["all"], sendAt: DateTimeOffset.UtcNow.AddSeconds(2)), cancel);
        var id = answer["id"]!.GetValue<string>();
        var reached = await AdaCalls.WaitUntilAsync(
            async () => await AdaCalls.InboxTotalAsync(stack.SandboxHttp, cancel) >= n / 3,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20), cancel);
        if (!reached)
        {
            throw new InvalidOperationException($"a third of {n} did not arrive within 60 s of the due time");
        }
        stack.KillCourier();
        var atKill = await AdaCalls.InboxTotalAsync(stack.SandboxHttp, cancel);
        Log($"killed the courier after {atKill:N0} of {n:N0} arrived");
        await stack.RestartCourierAsync();

        JsonObject history = new();
        var done = await AdaCalls.WaitUntilAsync(async () =>
        {
            history = await AdaCalls.HistoryAsync(stack.Admin, id, cancel);
            return history["state"]?.GetValue<string>() == "done";
        }, TimeSpan.FromSeconds(n / (double)pace * 2 + 90), TimeSpan.FromMilliseconds(250), cancel);
        var summary = await AdaCalls.InboxSummaryAsync(stack.SandboxHttp, cancel);
        var duplicates = summary["duplicates"]!.GetValue<int>();
        var missing = n - summary["chats"]!.GetValue<int>();
        Log($"done {done}: duplicates {duplicates}, missing {missing}");
        var details = new JsonObject
        {
            ["recipients"] = n,
            ["courier"] = new JsonObject { ["messagesPerSecond"] = pace, ["concurrency"] = inFlight },
            ["arrivedAtKill"] = atKill,
            ["done"] = done,
            ["duplicates"] = duplicates,
            ["missing"] = missing,
            ["inbox"] = summary,
            ["warmUp"] = warmUp,
        };
        var met = done && missing == 0 && duplicates <= inFlight;
        return new ScenarioResult(Name,
            $"{duplicates} duplicates, {missing} missing (killed after {atKill:N0} of {n:N0} at {pace}/s)",
            $"<= {inFlight} duplicates (the requests in flight), 0 missing (issue 11; was 101-115)", met, details);
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [kill] {line}");
}
