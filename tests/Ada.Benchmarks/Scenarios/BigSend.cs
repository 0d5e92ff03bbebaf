namespace Ada.Benchmarks.Scenarios;

/// <summary>
/// The students imported as group <c>all</c>, then one message to every one of them through the stack's one courier,
/// measured: queued due in 3 s;
/// from its deliverAt, the courier's RSS and the message's history sampled (bounded) until it is done; then what the
/// sandbox received. The throughput, VK and email scenarios differ only in their stack, their students and their aims.
/// </summary>
public sealed class BigSend
{
    private BigSend(string channel, int recipients)
    {
        Channel = channel;
        Recipients = recipients;
    }

    public string Channel { get; }
    public int Recipients { get; }
    public JsonObject Import { get; private set; } = new();
    public double QueueSeconds { get; private set; }
    public long DeliverAtMs { get; private set; }
    public bool Done { get; private set; }
    public JsonObject History { get; private set; } = new();
    public JsonObject Cpu { get; private set; } = new();
    public JsonArray RedisTop { get; private set; } = [];
    public JsonObject Summary { get; private set; } = new();
    public JsonObject StatsBefore { get; private set; } = new();
    public JsonObject Stats { get; private set; } = new();
    public long RssBeforeKb { get; private set; }
    public long RssSampledPeakKb { get; private set; }
    public long FirstMs { get; private set; }
    public long LastMs { get; private set; }

    /// <summary>Messages/s from the first to the last arrival in the sandbox.</summary>
    public double Rate { get; private set; }

    /// <summary>Seconds from deliverAt to the history's finishedAt (or to when done was seen).</summary>
    public double Total { get; private set; }

    public double PeakMb { get; private set; }
    public int Duplicates => Summary["duplicates"]!.GetValue<int>();
    public int Missing => Recipients - Summary["chats"]!.GetValue<int>();

    /// <summary>Recipients per second, deliverAt → done.</summary>
    public double Overall => Total > 0 ? Recipients / Total : double.NaN;

    public string Evidence => $"{CpuMeter.Describe(Cpu)}; redis: {RedisStats.Describe(RedisTop)}";

    /// <summary>How much one of the sandbox's counters (<c>/sandbox/stats</c>) grew during the send.</summary>
    public long Counted(string channel, string counter) =>
        Stats[channel]![counter]!.GetValue<long>() - StatsBefore[channel]![counter]!.GetValue<long>();

    public static async Task<BigSend> RunAsync(BenchStack stack, string channel, IReadOnlyList<Student> students, string text,
        TimeSpan limit, TimeSpan every, Action<string> log, CancellationToken cancel)
    {
        var run = new BigSend(channel, students.Count);
        run.Import = await AdaCalls.ImportAsync(stack.Admin, students, "all", cancel, channel: channel);
        log($"imported {students.Count:N0} students ({channel} contacts) and group 'all' in {run.Import["seconds"]} s ({run.Import["requests"]} requests)");
        var courierPid = stack.Courier.ProcessId;
        run.RssBeforeKb = Proc.StatusKb(courierPid, "VmRSS");
        run.StatsBefore = await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel);

        var queueWatch = Stopwatch.StartNew();
        var answer = await AdaCalls.QueueOneAsync(stack.Admin,
            AdaCalls.QueueBody(text, groups: ["all"], sendAt: DateTimeOffset.UtcNow.AddSeconds(3)), cancel);
        run.QueueSeconds = queueWatch.Elapsed.TotalSeconds;
        var id = answer["id"]!.GetValue<string>();
        run.DeliverAtMs = AdaCalls.ReadDeliverAtMs(answer.ToJsonString());
        log($"queued {id} to {answer["recipients"]} recipients in {run.QueueSeconds:0.00} s");

        await AdaCalls.DelayUntilAsync(run.DeliverAtMs, cancel);
        await RedisStats.ResetAsync(stack.RedisAdmin);
        var cpu = new CpuMeter(stack.Pids);
        run.Done = await AdaCalls.WaitUntilAsync(async () =>
        {
            run.RssSampledPeakKb = Math.Max(run.RssSampledPeakKb, Proc.StatusKb(courierPid, "VmRSS"));
            run.History = await AdaCalls.HistoryAsync(stack.Admin, id, cancel);
            return run.History["state"]?.GetValue<string>() == "done";
        }, limit, every, cancel);
        var doneSeenMs = AdaCalls.NowMs;
        run.Cpu = cpu.Stop();
        run.RedisTop = await RedisStats.TopCommandsAsync(stack.RedisAdmin);
        run.PeakMb = Proc.StatusKb(courierPid, "VmHWM") / 1024.0;

        var inbox = await AdaCalls.InboxAsync(stack.SandboxHttp, cancel, channel);
        run.Summary = await AdaCalls.InboxSummaryAsync(stack.SandboxHttp, cancel, channel);
        run.Stats = await AdaCalls.SandboxStatsAsync(stack.SandboxHttp, cancel);
        run.FirstMs = inbox.Count > 0 ? inbox.Min(m => m.ReceivedAtUnixMs) : 0;
        run.LastMs = inbox.Count > 0 ? inbox.Max(m => m.ReceivedAtUnixMs) : 0;
        run.Rate = inbox.Count > 1 && run.LastMs > run.FirstMs ? (inbox.Count - 1) * 1000.0 / (run.LastMs - run.FirstMs) : double.NaN;
        run.Total = ((run.FinishedMs() ?? doneSeenMs) - run.DeliverAtMs) / 1000.0;
        return run;
    }

    /// <summary>What every such scenario records; each adds its own numbers to it.</summary>
    public JsonObject Details(JsonObject courier, JsonObject warmUp)
    {
        var section = History["channels"]?[Channel];
        return new JsonObject
        {
            ["recipients"] = Recipients,
            ["courier"] = courier,
            ["import"] = Import,
            ["warmUp"] = warmUp,
            ["queueSeconds"] = Math.Round(QueueSeconds, 3),
            ["done"] = Done,
            ["firstArrivalAfterDeliverAtSeconds"] = Math.Round((FirstMs - DeliverAtMs) / 1000.0, 3),
            ["firstToLastArrivalSeconds"] = Math.Round((LastMs - FirstMs) / 1000.0, 2),
            ["messagesPerSecond"] = Math.Round(Rate, 1),
            ["deliverAtToDoneSeconds"] = Math.Round(Total, 2),
            ["messagesPerSecondDeliverAtToDone"] = Math.Round(Overall, 1),
            ["history"] = new JsonObject
            {
                ["state"] = History["state"]?.GetValue<string>(),
                ["sent"] = section?["sent"]?.GetValue<int>(),
                ["failed"] = section?["failed"]?.GetValue<int>(),
                ["noContact"] = section?["noContact"]?.GetValue<int>(),
                ["startedAt"] = section?["startedAt"]?.ToString(),
                ["finishedAt"] = section?["finishedAt"]?.ToString(),
            },
            ["inbox"] = Summary,
            ["missing"] = Missing,
            ["sandbox"] = Stats,
            ["courierRss"] = new JsonObject
            {
                ["beforeMb"] = Math.Round(RssBeforeKb / 1024.0, 1),
                ["sampledPeakMb"] = Math.Round(RssSampledPeakKb / 1024.0, 1),
                ["vmHwmMb"] = Math.Round(PeakMb, 1),
            },
            ["cpu"] = Cpu,
            ["redisTopCommands"] = RedisTop,
        };
    }

    /// <summary>The scenario's row, with where the time went (<see cref="Evidence"/>) to print under a missed aim.</summary>
    public ScenarioResult Result(string name, string result, string aim, bool met, JsonObject details) =>
        new(name, result, aim, met, details) { Evidence = Evidence };

    private long? FinishedMs()
    {
        var text = History["finishedAt"]?.ToString() ?? History["channels"]?[Channel]?["finishedAt"]?.ToString();
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUnixTimeMilliseconds()
            : null;
    }
}
