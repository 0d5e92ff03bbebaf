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
        var run = await BigSend.RunAsync(stack, "email", students, "Bench: one email to everyone\nThe lecture moves to room 305.", limit,
            TimeSpan.FromMilliseconds(200), Log, cancel);
        var sessions = run.Counted("email", "sessions");

        var details = run.Details(
            new JsonObject
            {
                ["messagesPerSecond"] = "0 (unpaced)",
                ["concurrency"] = "default (4 SMTP sessions)",
            },
            warmUp);
        details["smtpSessions"] = sessions;
        details["comparedWithMessagesPerSecond"] = Math.Round(ComparedRate, 1);
        // One instance should at least match the compared service's twelve workers (278 a second), reusing its
        // sessions: each of the 4 says QUIT after Email__MessagesPerConnection (1000) messages and reconnects.
        var maxSessions = n / MessagesPerConnection + 4;
        var met = run.Done && run.Missing == 0 && run.Duplicates == 0 && run.Overall >= ComparedRate && sessions <= maxSessions && run.PeakMb <= 250;
        return run.Result(Name,
            $"{run.Rate:N0} msg/s first->last arrival; deliverAt->done {run.Total:0.0} s ({run.Overall:N0} msg/s); {sessions} SMTP sessions; " +
            $"courier peak RSS {run.PeakMb:0} MB; missing {run.Missing}, duplicates {run.Duplicates}",
            $">= {ComparedRate:N0} msg/s (1M/h), <= {maxSessions} sessions, RSS <= 250 MB, 0 missing/dup", met, details);
    }

    private static void Log(string line) => Console.Error.WriteLine($"  [email] {line}");
}
