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
        var run = await BigSend.RunAsync(stack, "vk", students, "Bench: one VK message to everyone", limit,
            TimeSpan.FromMilliseconds(100), Log, cancel);
        var requests = run.Counted("vk", "requests");

        var details = run.Details(
            new JsonObject
            {
                ["requestsPerSecond"] = RequestsPerSecond,
                ["peoplePerRequest"] = PeopleAtOnce,
                ["concurrency"] = "default (4)",
            },
            warmUp);
        details["sandboxRequestsPerSecond"] = 0;
        details["httpRequests"] = requests;
        details["expectedHttpRequests"] = expectedRequests;
        // 40 requests at 20/s: about 2 s once the bucket's first second is spent; 10 s leaves room for the
        // due tick, claims, Redis reports and the sandbox.
        var met = run.Done && requests == expectedRequests && run.Missing == 0 && run.Duplicates == 0 && run.Total <= 10 && run.PeakMb <= 250;
        return run.Result(Name,
            $"{requests} requests; {run.Rate:N0} msg/s first->last arrival; deliverAt->done {run.Total:0.0} s ({run.Overall:N0} msg/s); " +
            $"courier peak RSS {run.PeakMb:0} MB; missing {run.Missing}, duplicates {run.Duplicates}",
            $"{expectedRequests} requests, <= 10 s, RSS <= 250 MB, 0 missing/dup", met, details);
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [vk] {line}");
}
