namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// The first message after start: a fresh stack (the API and the sandbox have answered one request each: what is
/// measured is the courier), idle for 5 s, then one one-person message due 3 s later; lag = its arrival at the
/// sandbox − its due time. Run twice back to back — the courier's start-up warm-up off
/// (<c>Courier__WarmUp=false</c>, the build before issue 11) and on — so the two figures share the machine's load.
/// </summary>
public sealed class FirstMessageScenario : IScenario
{
    public string Name => "first";

    public async Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel)
    {
        var off = await MeasureAsync(warmUp: false, cancel);
        var on = await MeasureAsync(warmUp: true, cancel);
        var details = new JsonObject { ["warmUpOff"] = off, ["warmUpOn"] = on };
        var lag = on["firstLagMs"]!.GetValue<double>();
        return new ScenarioResult(Name,
            $"first message {lag:0} ms after due (warm-up off, same run: {off["firstLagMs"]} ms); the next {on["secondLagMs"]} ms",
            "<= 50 ms (issue 11; was 250-335 ms)", lag <= 50, details);
    }

    private static async Task<JsonObject> MeasureAsync(bool warmUp, CancellationToken cancel)
    {
        var options = new StackOptions();
        options.Courier["Courier__WarmUp"] = warmUp ? "true" : "false";
        await using var stack = await BenchStack.StartAsync(options, cancel);
        var students = new[] { new Student("f1", "70000001"), new Student("f2", "70000002") };
        await AdaCalls.ImportAsync(stack.Admin, students, null, cancel);
        // The API's own first request is not what is measured: one request that queues nothing (unknown user: 400).
        using (await stack.Admin.PostAsync("/v1/queue", AdaCalls.JsonContent(AdaCalls.QueueBody("none", users: ["nobody"])), cancel))
        {
        }
        // Nor the sandbox's: Telegram is warm. One sendMessage straight to it, then its inbox is emptied.
        using (var warm = await stack.SandboxHttp.PostAsync($"/bot{BenchStack.TelegramToken}/sendMessage",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["chat_id"] = "79999999", ["text"] = "sandbox warm-up" }), cancel))
        {
            await AdaCalls.EnsureAsync(warm, "sandbox warm-up", cancel);
        }
        using (var cleared = await stack.SandboxHttp.DeleteAsync("/sandbox/inbox", cancel))
        {
            cleared.EnsureSuccessStatusCode();
        }
        await Task.Delay(TimeSpan.FromSeconds(5), cancel);
        var first = await LagAsync(stack, "Bench first #1", "f1", cancel);
        var second = await LagAsync(stack, "Bench first #2", "f2", cancel);
        Console.Error.WriteLine($"  [first] warm-up {(warmUp ? "on" : "off")}: first {first} ms, second {second} ms after due");
        return new JsonObject { ["warmUp"] = warmUp, ["firstLagMs"] = first, ["secondLagMs"] = second };
    }

    private static async Task<double> LagAsync(BenchStack stack, string text, string user, CancellationToken cancel)
    {
        var answer = await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody(text, users: [user], sendAt: DateTimeOffset.UtcNow.AddSeconds(3)), cancel);
        var due = AdaCalls.ReadDeliverAtMs(answer.ToJsonString());
        List<AdaCalls.InboxItem> inbox = [];
        await AdaCalls.WaitUntilAsync(async () =>
        {
            inbox = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel);
            return inbox.Any(m => m.Text == text);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50), cancel);
        var arrived = inbox.Where(m => m.Text == text).Select(m => m.ReceivedAtUnixMs).DefaultIfEmpty(long.MaxValue).Min();
        return arrived == long.MaxValue ? double.NaN : arrived - due;
    }
}
