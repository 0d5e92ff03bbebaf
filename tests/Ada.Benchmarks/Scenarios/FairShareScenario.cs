namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// Fair share and the urgent lane under Telegram's pace (courier and sandbox at 30/s): while one message to 20,000
/// students is sending (11 minutes at the pace), a 30-person message and an urgent 30-person one fall due together;
/// how long after their due time each is done. The big message is cancelled afterwards.
/// </summary>
public sealed class FairShareScenario : IScenario
{
    public string Name => "fair";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        var n = quick ? 2_000 : 20_000;
        await using var stack = await BenchStack.StartAsync(new StackOptions(), cancel);
        var warmUp = await stack.WarmUpAsync(30, cancel);
        await stack.LimitTelegramAsync(30, cancel);
        await AdaCalls.ImportAsync(stack.Admin, [.. Enumerable.Range(0, n).Select(i => new Student($"d{i}", $"{40_000_000 + i}"))], "dean", cancel);
        await AdaCalls.ImportAsync(stack.Admin, [.. Enumerable.Range(0, 30).Select(i => new Student($"t{i}", $"{41_000_000 + i}"))], "teacher", cancel);
        await AdaCalls.ImportAsync(stack.Admin, [.. Enumerable.Range(0, 30).Select(i => new Student($"x{i}", $"{42_000_000 + i}"))], "urgent", cancel);
        var big = (await AdaCalls.QueueOneAsync(stack.Admin, AdaCalls.QueueBody("Bench fair: dean", groups: ["dean"]), cancel))["id"]!.GetValue<string>();
        await AdaCalls.WaitUntilAsync(async () => await AdaCalls.InboxTotalAsync(stack.SandboxHttp, cancel) >= 60,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100), cancel);

        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        var teacher = (await AdaCalls.QueueOneAsync(stack.Admin, AdaCalls.QueueBody("Bench fair: teacher", groups: ["teacher"], sendAt: due), cancel))["id"]!.GetValue<string>();
        var urgent = (await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody("Bench fair: urgent", groups: ["urgent"], sendAt: due, urgent: true), cancel))["id"]!.GetValue<string>();
        var done = await AdaCalls.WaitUntilAsync(async () =>
            (await AdaCalls.HistoryAsync(stack.Admin, teacher, cancel))["state"]?.GetValue<string>() == "done" &&
            (await AdaCalls.HistoryAsync(stack.Admin, urgent, cancel))["state"]?.GetValue<string>() == "done",
            TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(100), cancel);
        var inbox = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel);
        var bigSent = inbox.Count(m => m.Text == "Bench fair: dean");
        using (await stack.Admin.PostAsync($"/v1/queue/{big}/cancel", null, cancel))
        {
        }
        double Last(string text) => inbox.Where(m => m.Text == text).Select(m => (m.ReceivedAtUnixMs - due.ToUnixTimeMilliseconds()) / 1000.0)
            .DefaultIfEmpty(double.NaN).Max();
        int Count(string text) => inbox.Count(m => m.Text == text);
        var teacherLast = Last("Bench fair: teacher");
        var urgentLast = Last("Bench fair: urgent");
        var details = new JsonObject
        {
            ["bigRecipients"] = n,
            ["pacePerSecond"] = 30,
            ["warmUp"] = warmUp,
            ["teacherArrived"] = Count("Bench fair: teacher"),
            ["urgentArrived"] = Count("Bench fair: urgent"),
            ["teacherLastArrivalSecondsAfterDue"] = Math.Round(teacherLast, 2),
            ["urgentLastArrivalSecondsAfterDue"] = Math.Round(urgentLast, 2),
            ["bigSentMeanwhile"] = bigSent,
            ["done"] = done,
        };
        var met = done && teacherLast <= 5 && urgentLast <= teacherLast && Count("Bench fair: teacher") == 30 && Count("Bench fair: urgent") == 30;
        return new ScenarioResult(Name,
            $"during a {n:N0}-person send at 30/s: 30-person message done {teacherLast:0.0} s after due, urgent one {urgentLast:0.0} s",
            "30-person <= 5 s after due, urgent first (issue 11; without sharing: ~11 min)", met, details);
    }
}
