using System.Text.Json;
using Ada.Benchmarks;
using Ada.Benchmarks.Scenarios;

// Ada's benchmarks: each scenario starts its own redis-server and services (Release build) on 127.0.0.1,
// measures, prints a table row and adds its numbers to artifacts/bench/results.json.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

IScenario[] known =
[
    new QueueScenario(), new OutageScenario(), new KillScenario(), new LagScenario(), new FirstMessageScenario(),
    new ThroughputScenario(), new PacedScenario(), new FairShareScenario(), new VkScenario(), new EmailScenario(),
];
var quick = false;
string? output = null;
int? quietWaitArg = null;
var chosen = new List<IScenario>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            break;
        case "--quiet-wait" when i + 1 < args.Length:
            quietWaitArg = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--set" when i + 1 < args.Length:
            var setting = args[++i];
            var colon = setting.IndexOf(':', StringComparison.Ordinal);
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            var service = colon > 0 ? setting[..colon] : "";
            if (service is not ("api" or "courier" or "sandbox") || equals < colon + 2)
            {
                Console.Error.WriteLine($"--set wants service:KEY=VALUE with service api, courier or sandbox; got '{setting}'.");
                return 2;
            }
            BenchStack.Overrides.Add((service, setting[(colon + 1)..equals], setting[(equals + 1)..]));
            break;
        case "--perf-map":
            BenchStack.CommonEnvironment["DOTNET_PerfMapEnabled"] = "1";
            // Without this, JIT-compiled code runs from a double-mapped memfd that perf cannot match to the map.
            BenchStack.CommonEnvironment["DOTNET_EnableWriteXorExecute"] = "0";
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine("""
                usage: dotnet run -c Release --project tests/Ada.Benchmarks -- [queue|outage|kill|lag|first|throughput|paced|fair|vk|email|all …] [--quick] [--out FILE]
                  queue       POST /v1/queue throughput and latency, 64 clients, 20 s after 3 s warm-up, 10-person group
                  outage      queue while the only courier has been down 65 s (202?), then how soon after its return all arrive
                  kill        SIGKILL of the Telegram courier mid-send at 300 msg/s, a new one at once: duplicates by the inbox summary
                  lag         due-to-first-send lag: 5,000 due over 10 s next to 100,000 due tomorrow; then 1,000 at once
                  first       the first message after an idle start, courier warm-up off then on (back to back)
                  throughput  one message to 100,000 students through the Telegram courier (unpaced), peak RSS
                  paced       one message to 1,950 students at Telegram's 30/s (sandbox enforces it)
                  fair        during a 20,000-person send at 30/s, a 30-person and an urgent 30-person message due later
                  vk          one message to 100,000 students through the VK courier at VK's 20 requests/s (40 requests)
                  email       one message to 100,000 students through the email courier (unpaced) and the sandbox's SMTP server
                  --quick     about 1/10 of the sizes, for a ~2 minute smoke test
                  --out FILE  results JSON (default: <repo>/artifacts/bench/results.json)
                  --set SERVICE:KEY=VALUE  an environment variable for every stack's api|courier|sandbox (experiments), e.g.
                              --set courier:Courier__MaxConcurrentMessages=32 (recorded in the results)
                  --perf-map  start the services with DOTNET_PerfMapEnabled=1, for profiling them with `perf record -p PID`
                  --quiet-wait SECONDS  before each scenario, wait up to this long for an idle machine (default 180; quick 10)
                """);
            return 0;
        case "all":
            chosen.AddRange(known);
            break;
        default:
            var scenario = known.FirstOrDefault(s => s.Name == args[i]);
            if (scenario is null)
            {
                Console.Error.WriteLine($"Unknown scenario or option '{args[i]}'; known: {string.Join(", ", known.Select(s => s.Name))}, --quick, --out FILE.");
                return 2;
            }
            chosen.Add(scenario);
            break;
    }
}
if (chosen.Count == 0)
{
    chosen.AddRange(known);
}
chosen = chosen.Distinct().ToList();
// Before each scenario, wait up to this long for the machine to be idle (other builds and tests share it).
var quietWait = quietWaitArg ?? (quick ? 10 : 180);
output ??= Path.Combine(ServiceProcess.RepositoryRoot(), "artifacts", "bench", "results.json");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Console.Error.WriteLine("Stopping: the running scenario cleans up its processes…");
    stop.Cancel();
};

var runStarted = DateTimeOffset.UtcNow;
var machine = Machine.Describe();
var report = new JsonObject
{
    ["mode"] = quick ? "quick" : "full",
    ["configuration"] = ServiceProcess.Configuration(),
    ["startedAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
    ["machine"] = machine,
    ["redis"] = new JsonObject
    {
        ["version"] = machine["redisServer"]?.GetValue<string>(),
        ["args"] = "--bind 127.0.0.1 --save \"\" --appendonly yes --appendfsync everysec --databases 1024 --notify-keyspace-events KEg$x --hz 10",
        ["hz"] = 10,
        ["perScenario"] = "a fresh redis-server for every scenario",
    },
    ["overrides"] = new JsonArray(BenchStack.Overrides.Select(o => (JsonNode)$"{o.Service}:{o.Key}={o.Value}").ToArray()),
    ["scenarios"] = new JsonObject(),
};
Console.WriteLine($"Ada benchmarks ({(quick ? "quick" : "full")}, {ServiceProcess.Configuration()}) on {machine["nproc"]} x {machine["cpuModel"]}, " +
    $"{machine["ramGb"]} GB, {machine["os"]}, {machine["dotnet"]}, {machine["redisServer"]}");
Console.WriteLine($"Scenarios: {string.Join(", ", chosen.Select(s => s.Name))}; results: {output}");

var results = new List<ScenarioResult>();
foreach (var scenario in chosen)
{
    if (stop.IsCancellationRequested)
    {
        break;
    }
    Console.WriteLine($"\n== {scenario.Name} ==");
    var quiet = await Quiet.WaitAsync(TimeSpan.FromSeconds(quietWait), stop.Token);
    if (!quiet["quiet"]!.GetValue<bool>())
    {
        Console.WriteLine($"  warning: the machine is busy with other work (busy {quiet["lastBusyShare"]}, load {quiet["loadAverage"]}); " +
            "numbers will be lower than on a quiet machine");
    }
    var watch = Stopwatch.StartNew();
    ScenarioResult result;
    using (var bounded = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
    {
        // Every scenario is bounded in time as a whole, on top of its own bounded loops.
        bounded.CancelAfter(TimeSpan.FromMinutes(quick ? 5 : 20));
        try
        {
            result = await scenario.RunAsync(quick, bounded.Token) with { Seconds = watch.Elapsed.TotalSeconds };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var reason = e is OperationCanceledException && !stop.IsCancellationRequested ? "scenario time limit reached" : e.Message;
            Console.Error.WriteLine($"  {scenario.Name} failed: {e}");
            result = new ScenarioResult(scenario.Name, $"ERROR: {Shorten(reason)}", "", null, new JsonObject())
            {
                Seconds = watch.Elapsed.TotalSeconds,
                Error = e.ToString(),
            };
        }
    }
    results.Add(result);
    var details = result.Details.DeepClone().AsObject();
    details["result"] = result.Result;
    details["aim"] = result.Aim;
    details["met"] = result.Met;
    details["evidence"] = result.Evidence;
    details["error"] = result.Error;
    details["scenarioSeconds"] = Math.Round(result.Seconds, 1);
    details["machineBefore"] = quiet;
    report["scenarios"]![scenario.Name] = details;
    Console.WriteLine(Row(result));
    Save();
}

report["finishedAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
report["table"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
{
    ["scenario"] = r.Name,
    ["result"] = r.Result,
    ["aim"] = r.Aim,
    ["met"] = r.Met,
}).ToArray());
Save();

Console.WriteLine();
Console.WriteLine($"Machine: {machine["nproc"]} CPU ({machine["cpuModel"]}), {machine["ramGb"]} GB RAM, {machine["os"]}, " +
    $"{machine["dotnet"]}, {machine["redisServer"]} (hz 10, AOF everysec as deploy/redis.conf), {machine["date"]}");
Console.WriteLine();
Console.WriteLine("| scenario | result | aim | met |");
Console.WriteLine("|---|---|---|---|");
foreach (var r in results)
{
    Console.WriteLine(Row(r));
}
foreach (var r in results.Where(r => r.Met == false && r.Evidence is not null))
{
    Console.WriteLine($"\n{r.Name} missed its aim; {r.Evidence}");
}
Console.WriteLine($"\nWrote {output}; the run took {(DateTimeOffset.UtcNow - runStarted).TotalMinutes:0.0} min " +
    $"({string.Join(", ", results.Select(r => $"{r.Name} {r.Seconds:0} s"))}).");
return results.Any(r => r.Error is not null) ? 1 : 0;

void Save() => File.WriteAllText(output, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

static string Row(ScenarioResult r) =>
    $"| {r.Name} | {r.Result} | {r.Aim} | {(r.Met is null ? "-" : r.Met.Value ? "yes" : "NO")} |";

static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text.ReplaceLineEndings(" ");
