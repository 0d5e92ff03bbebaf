using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;

namespace Ada.Stack;

/// <summary>
/// The local run (deploy/run.sh hands over to it once redis-server is installed and the solution built): Redis with
/// its data in .run/, the sandbox for every channel without real credentials, the API and the four couriers on
/// their ports, a demo directory, and the links to try it. Ctrl+C stops everything it started: the services
/// first, then Redis, so Redis outlives its clients and writes its AOF on the way out.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LocalRun
{
    private static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(10);
    private const string DemoStudent = "e.gromova"; // ivt-21, no Telegram yet
    private const string SandboxBot = "ada_sandbox_bot"; // the sandbox's bot (Sandbox__Telegram__BotUsername)
    private const string TeacherChat = "900001"; // t.ivanova's Telegram chat in deploy/demo-directory.json
    private const string TeacherPhone = "+79001000901"; // t.ivanova; she owns ivt-21, ivt-22 and ivt-stream

    private readonly string _root = ServiceProcess.RepositoryRoot();
    private readonly string _runDir;
    private readonly string _logDir;

    private LocalRun()
    {
        _runDir = Path.Combine(_root, ".run");
        _logDir = Path.Combine(_runDir, "logs");
    }

    public static async Task<int> MainAsync()
    {
        try
        {
            return await new LocalRun().RunAsync();
        }
        catch (RunError e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private async Task<int> RunAsync()
    {
        var clusterSize = ClusterSize();
        var real = new HashSet<string>();
        if (Env("Telegram__Token") is not null)
        {
            real.Add(StackChannels.Telegram);
        }
        if (Env("Vk__Token") is not null)
        {
            real.Add(StackChannels.Vk);
        }
        if (Env("Sms__BaseUrl") is not null || Env("Sms__ApiId") is not null)
        {
            real.Add(StackChannels.Sms);
        }
        if (Env("Email__Host") is not null)
        {
            real.Add(StackChannels.Email);
        }
        bool Sandboxed(string channel) => !real.Contains(channel);
        var usesSandbox = StackChannels.All.Any(Sandboxed);

        // Ports, all on 127.0.0.1: each must be free, and no two the same.
        var ports = new List<(string Var, int Port)>();
        int Port(string variable, int fallback)
        {
            var value = Env(variable) ?? fallback.ToString(CultureInfo.InvariantCulture);
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new RunError($"{variable}={value} is not a port number");
            }
            if (!Ports.IsFree(port))
            {
                throw new RunError($"port {port} is in use on 127.0.0.1: stop what uses it, or choose another with {variable}=<port>");
            }
            ports.Add((variable, port));
            return port;
        }
        var redisPort = Port("ADA_REDIS_PORT", 6390);
        var apiPort = Port("ADA_API_PORT", 5000);
        var courierPorts = new Dictionary<string, int>
        {
            [StackChannels.Telegram] = Port("ADA_TELEGRAM_PORT", 5081),
            [StackChannels.Vk] = Port("ADA_VK_PORT", 5082),
            [StackChannels.Sms] = Port("ADA_SMS_PORT", 5083),
            [StackChannels.Email] = Port("ADA_EMAIL_PORT", 5084),
        };
        int? sandboxPort = usesSandbox ? Port("ADA_SANDBOX_PORT", 5080) : null;
        int? smtpPort = Sandboxed(StackChannels.Email) ? Port("ADA_SANDBOX_SMTP_PORT", 2525) : null;
        var redisPorts = Enumerable.Range(0, Math.Max(clusterSize, 1)).Select(i => redisPort + i).ToList();
        if (clusterSize > 0)
        {
            // Cluster node i listens on ADA_REDIS_PORT+i and talks to the others on its cluster bus, that port+10000:
            // all of them must be free.
            foreach (var node in redisPorts)
            {
                var bus = node + 10000;
                if (bus > 65535)
                {
                    throw new RunError($"ADA_REDIS_PORT={redisPort} leaves no room for {clusterSize} nodes and their cluster bus ports (port+10000): choose a lower one");
                }
                if (node != redisPort && !Ports.IsFree(node))
                {
                    throw new RunError($"port {node} (cluster node ADA_REDIS_PORT+{node - redisPort}) is in use on 127.0.0.1: stop what uses it, or choose another ADA_REDIS_PORT=<port>");
                }
                if (!Ports.IsFree(bus))
                {
                    throw new RunError($"port {bus} (the cluster bus of node {node}, its port+10000) is in use on 127.0.0.1: stop what uses it, or choose another ADA_REDIS_PORT=<port>");
                }
                ports.Add(("ADA_REDIS_PORT", node));
                ports.Add(("ADA_REDIS_PORT", bus));
            }
        }
        if (ports.GroupBy(p => p.Port).Any(g => g.Count() > 1))
        {
            throw new RunError($"two services were given the same port ({string.Join(' ', ports.Select(p => p.Port))}): check the ADA_*_PORT variables");
        }

        // Everything this run writes (Redis data, logs, the lock) is its owner's alone: they hold contacts and tokens.
        Directory.CreateDirectory(_logDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        CloseToOthers(_runDir);
        // One run per checkout: a second Redis on the same .run/redis would corrupt its append-only file. .NET takes
        // an flock on a file opened without sharing.
        using var runLock = Lock();

        var launch = new Launch { LogDirectory = _logDir, OwnProcessGroup = true };
        var config = Path.Combine(_root, "deploy", "redis.conf");
        RedisNode? single = null;
        LocalRedisCluster? cluster = null;
        AdaProcesses? ada = null;
        using var stopping = new CancellationTokenSource();
        var exitCode = 0;
        void Stop(int code)
        {
            exitCode = code;
            stopping.Cancel();
        }
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            Stop(130);
        };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Stop(143);
        });
        try
        {
            // Redis, with its data in .run/ (kept between runs: the directory and scheduled messages stay).
            string redisData;
            RedisTarget target;
            if (clusterSize == 0)
            {
                redisData = ".run/redis";
                single = new RedisNode(new RedisNodeOptions
                {
                    Port = redisPort, Dir = Path.Combine(_runDir, "redis"), ConfigFile = config, Launch = launch,
                });
                await single.StartAsync();
                target = new RedisTarget($"127.0.0.1:{redisPort}", 0);
                Say($"redis is ready on {target.ConnectionString}");
            }
            else
            {
                // A Redis Cluster of clusterSize primaries (no replicas), node <port> with its data (AOF, and the
                // cluster's shape in nodes.conf) in .run/redis-cluster/<port>, kept between runs like .run/redis.
                redisData = ".run/redis-cluster";
                cluster = new LocalRedisCluster(new LocalRedisClusterOptions
                {
                    Ports = redisPorts, Root = Path.Combine(_runDir, "redis-cluster"), ConfigFile = config,
                    NodeTimeoutMilliseconds = 5000, Launch = launch,
                });
                Say($"starting a Redis Cluster of {clusterSize} primaries on {string.Join(",", redisPorts.Select(p => $"127.0.0.1:{p}"))}");
                await cluster.StartAsync();
                target = new RedisTarget(string.Join(",", redisPorts.Select(p => $"127.0.0.1:{p}")), 0);
                Say(cluster.Created
                    ? $"created the Redis Cluster: {clusterSize} primaries on {target.ConnectionString}"
                    : $"restarted the Redis Cluster of {clusterSize} primaries from {redisData}/<port>/nodes.conf");
            }

            DescribeRealProviders(real);
            var secrets = StackSecrets.Generate() is var generated && Env("Ada__AdminToken") is { } admin
                ? generated with { AdminToken = admin }
                : generated;
            var quietHours = Env("Scheduling__QuietHours") ?? "";
            var options = new AdaProcessesOptions
            {
                Redis = target,
                Secrets = secrets,
                RealChannels = real,
                SandboxPort = sandboxPort,
                SandboxSettings = smtpPort is { } smtp ? new() { ["Sandbox__Email__Port"] = smtp.ToString(CultureInfo.InvariantCulture) } : [],
                Couriers = StackChannels.All.ToDictionary(c => c, _ => 1),
                CourierPorts = courierPorts,
                ApiPort = apiPort,
                // Quiet hours are off in the local run unless set, so the demo message is delivered when asked.
                ApiSettings = new() { ["Scheduling__QuietHours"] = quietHours },
                // The API runs the Telegram bot with the courier's bot: it long-polls the sandbox (or the real Bot API).
                Bot = "polling",
                Launch = launch,
            };
            Say("starting " + string.Join(", ", (usesSandbox ? ["sandbox"] : Array.Empty<string>()).Append("api").Concat(StackChannels.All)) +
                "; logs in .run/logs/");
            if (usesSandbox)
            {
                // This run's sandbox token, for other shells and scripts: owner-only, like all of .run/.
                await File.WriteAllTextAsync(Path.Combine(_runDir, "sandbox-token"), secrets.SandboxToken + "\n", stopping.Token);
                File.SetUnixFileMode(Path.Combine(_runDir, "sandbox-token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            ada = await AdaProcesses.StartAsync(options, stopping.Token);
            Say("every service is ready" + (Sandboxed(StackChannels.Sms) ? "; the SMS courier registered the gateway's webhooks" : ""));

            var code = await SeedAsync(ada, redisData, Sandboxed(StackChannels.Telegram));
            await Console.Out.WriteAsync(Links(ada, real, clusterSize, redisPorts, redisData, smtpPort, quietHours, code));

            // In the foreground until Ctrl+C, or until a service or Redis dies (then stop the others and fail).
            var died = await Task.WhenAny(
                ada.WaitForAnyExitAsync(stopping.Token).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Process.Name : null, TaskScheduler.Default),
                (single is not null ? single.WaitForExitAsync(stopping.Token) : cluster!.WaitForAnyExitAsync(stopping.Token))
                    .ContinueWith(t => t.IsCompletedSuccessfully ? "redis" : null, TaskScheduler.Default)).Unwrap();
            if (died is not null && !stopping.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"error: {died} exited unexpectedly (see .run/logs/{died}.log)");
                exitCode = 1;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            exitCode = 1;
        }
        finally
        {
            if (ada is not null)
            {
                Say("stopping " + string.Join(' ', ada.All.Select(p => p.Process.Name)));
                await ada.StopAsync(StopWithin);
                await ada.DisposeAsync();
            }
            if (single is not null)
            {
                Say("stopping redis");
                await single.TerminateAsync(StopWithin);
                await single.DisposeAsync();
            }
            if (cluster is not null)
            {
                Say("stopping the Redis Cluster");
                await cluster.TerminateAsync(StopWithin);
                await cluster.DisposeAsync();
            }
        }
        return exitCode;
    }

    /// <summary>ADA_REDIS_CLUSTER: unset, 0 or no (one Redis); 1 or yes (3 primaries); a number of primaries, 3 or more.</summary>
    private static int ClusterSize()
    {
        var value = Env("ADA_REDIS_CLUSTER");
        switch (value)
        {
            case null or "0" or "no":
                return 0;
            case "1" or "yes":
                return 3;
        }
        if (value.Length > 5 || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 3)
        {
            throw new RunError($"ADA_REDIS_CLUSTER={value}: use 1 or yes (a cluster of 3 primaries), or a number of primaries, 3 or more (the least a Redis Cluster takes)");
        }
        return size;
    }

    /// <summary>Says where each real provider is, and warns about settings it will miss.</summary>
    private static void DescribeRealProviders(HashSet<string> real)
    {
        if (real.Contains(StackChannels.Telegram))
        {
            Say($"Telegram: the real Bot API at {Env("Telegram__BaseUrl") ?? "https://api.telegram.org"}");
        }
        if (real.Contains(StackChannels.Vk))
        {
            Say($"VK: the real VK API at {Env("Vk__BaseUrl") ?? "https://api.vk.com/method/"}");
            if (Env("Vk__Secret") is null || Env("Vk__Confirmation") is null)
            {
                Warn("Vk__Secret and Vk__Confirmation are not set: the API refuses VK's Callback API events (message_allow, link codes)");
            }
        }
        if (real.Contains(StackChannels.Sms))
        {
            var provider = Env("Sms__Provider") ?? "android-gateway";
            Say($"SMS: the real provider ({provider}) at {Env("Sms__BaseUrl") ?? "https://sms.ru"}");
            if (provider == "android-gateway" && Env("Sms__PublicUrl") is null)
            {
                Warn("Sms__PublicUrl is not set: the courier does not register the gateway's webhooks (no delivery reports, no SMS from teachers)");
            }
            if (provider == "android-gateway" && Env("Sms__WebhookSigningKey") is null)
            {
                Warn("Sms__WebhookSigningKey is not set: the API answers the gateway's webhooks with 403");
            }
        }
        if (real.Contains(StackChannels.Email))
        {
            Say($"Email: the real SMTP server at {Env("Email__Host")}:{Env("Email__Port") ?? "(by Email__Security)"}");
            if (Env("Email__From") is null)
            {
                Warn("Email__From is not set: the email courier refuses to start");
            }
        }
    }

    /// <summary>
    /// Seeds the demo directory (deploy/demo-directory.json) unless Redis already has one; with the sandbox's
    /// Telegram, returns a link code for the demo student (null otherwise).
    /// </summary>
    private async Task<string?> SeedAsync(AdaProcesses ada, string redisData, bool telegramSandboxed)
    {
        using var admin = ada.ApiClient(ada.Secrets.AdminToken);
        using (var group = await admin.GetAsync(new Uri("/v1/groups/ivt-21", UriKind.Relative)))
        {
            switch (group.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    Say("seeding the demo directory (deploy/demo-directory.json)");
                    using (var content = new StringContent(await File.ReadAllTextAsync(Path.Combine(_root, "deploy", "demo-directory.json")),
                        Encoding.UTF8, "application/json"))
                    using (var imported = await admin.PostAsync(new Uri("/v1/import", UriKind.Relative), content))
                    {
                        var answer = await imported.Content.ReadAsStringAsync();
                        if (imported.IsSuccessStatusCode)
                        {
                            Say($"imported: {answer}");
                        }
                        else
                        {
                            Warn($"POST /v1/import answered {(int)imported.StatusCode}: {answer}");
                        }
                    }
                    break;
                case HttpStatusCode.OK:
                    Say($"the directory already has group ivt-21: not seeding (delete {redisData} for a fresh demo directory)");
                    break;
                default:
                    Warn($"GET /v1/groups/ivt-21 answered {(int)group.StatusCode}: the demo directory was not seeded");
                    break;
            }
        }
        using (var openApi = await admin.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)))
        {
            if (!openApi.IsSuccessStatusCode)
            {
                Warn($"{ada.ApiAddress}openapi/v1.json is not served (see .run/logs/api.log)");
            }
        }
        // Opening the sandbox's t.me link with it signs the student up in the bot (only the sandbox's Telegram has
        // that page, so no code is made for the real one).
        if (!telegramSandboxed)
        {
            return null;
        }
        using var linked = await admin.PostAsync(new Uri($"/v1/users/{DemoStudent}/link-codes", UriKind.Relative), null);
        return linked.IsSuccessStatusCode ? (await linked.Content.ReadFromJsonAsync<JsonObject>())?["code"]?.GetValue<string>() : null;
    }

    /// <summary>What to do now: the addresses, the admin token and curl lines (the sendAt in them is computed by the shell when pasted).</summary>
    private static string Links(AdaProcesses ada, HashSet<string> real, int clusterSize, List<int> redisPorts,
        string redisData, int? smtpPort, string quietHours, string? demoCode)
    {
        var api = ada.ApiAddress.ToString().TrimEnd('/');
        var token = ada.Secrets.AdminToken;
        var auth = $"Authorization: Bearer {token}";
        var sandbox = ada.Sandbox is null ? "" : ada.SandboxAddress.ToString().TrimEnd('/');
        var control = ada.Secrets.SandboxToken;
        var sandboxAuth = $"X-Sandbox-Token: {control}";
        bool Sandboxed(string channel) => !real.Contains(channel);
        var o = new StringBuilder();
        void Line(string line = "") => o.Append(line).Append('\n');
        Line();
        Line("Ada is running.");
        Line($"  Web app       {api}/");
        Line($"  API           {api}");
        Line($"  admin token   {token}");
        Line($"  OpenAPI       {api}/openapi/v1.json");
        if (ada.Sandbox is not null)
        {
            Line($"  sandbox token {control}   (also in .run/sandbox-token, yours only: send it as the X-Sandbox-Token header, or once as ?token= in a browser)");
        }
        Line(Sandboxed(StackChannels.Telegram)
            ? $"  Telegram      sandbox: {sandbox}/sandbox/inbox?channel=telegram&token={control}"
            : $"  Telegram      real Bot API ({Env("Telegram__BaseUrl") ?? "https://api.telegram.org"}); the demo chat ids are not real chats");
        Line(Sandboxed(StackChannels.Vk)
            ? $"  VK            sandbox: {sandbox}/sandbox/inbox?channel=vk&token={control}   (Callback API events to {api}/v1/vk/callback)"
            : $"  VK            real VK API ({Env("Vk__BaseUrl") ?? "https://api.vk.com/method/"}); the demo VK ids are not real users");
        Line(Sandboxed(StackChannels.Sms)
            ? $"  SMS           sandbox SMS Gateway for Android: {sandbox}/sandbox/inbox?channel=sms&token={control}   (signed webhooks to {api}/v1/sms/*)"
            : $"  SMS           real {Env("Sms__Provider") ?? "android-gateway"} ({Env("Sms__BaseUrl") ?? "https://sms.ru"}); the demo phone numbers are not real");
        Line(Sandboxed(StackChannels.Email)
            ? $"  Email         sandbox SMTP server 127.0.0.1:{smtpPort}: {sandbox}/sandbox/inbox?channel=email&token={control}"
            : $"  Email         real SMTP server ({Env("Email__Host")}); the demo addresses are not real");
        if (clusterSize == 0)
        {
            Line($"  Redis         {ada.Redis.ConnectionString} (data in {redisData})   logs: .run/logs/");
        }
        else
        {
            Line($"  Redis         a Redis Cluster of {clusterSize} primaries: {ada.Redis.ConnectionString}");
            Line($"                (data in {redisData}/<port>/)   logs: .run/logs/");
            Line($"                its nodes and their slots:  redis-cli -c -p {redisPorts[0]} cluster nodes");
            Line($"                keys and slots per primary: redis-cli --cluster info 127.0.0.1:{redisPorts[0]}");
        }
        Line($"  quiet hours   {(quietHours.Length > 0 ? quietHours : "none (set Scheduling__QuietHours=22:00-08:00 to try them)")}");
        Line();
        Line($"Sign in to the web app as the demo teacher: open {api}/ , type the login t.ivanova and press");
        Line("\"Получить код\"; Ada sends her a six-digit code on her channels, to be read in the sandbox (or her phone):");
        Line($"  curl -sS -H \"{sandboxAuth}\" '{sandbox}/sandbox/inbox?channel=telegram&chatId={TeacherChat}'");
        Line("(An administrator can sign in with the admin token above instead: \"Вход для администратора по токену\".)");
        Line();
        Line("Queue a message to group ivt-21, delivered in 5 seconds (the answer has its \"id\"); it reaches 3 Telegram");
        Line("chats, 1 VK user, 3 phones and 3 mailboxes:");
        if (quietHours.Length > 0)
        {
            Line("  (inside quiet hours it moves to their end; add \"urgent\":true, which the admin may, to send anyway)");
        }
        Line($"  curl -sS -X POST {api}/v1/queue -H \"{auth}\" -H 'Content-Type: application/json' -d '{{\"text\":\"Lecture moved to room 305\",\"to\":{{\"groups\":[\"ivt-21\"]}},\"sendAt\":\"'\"$(date --iso-8601=seconds -d '+5 seconds')\"'\"}}'");
        Line();
        Line("Follow its delivery (put that id in ID), then see its history and per-person receipts:");
        Line($"  ID='<id>'; curl -sSN -H \"{auth}\" \"{api}/v1/history/$ID/events\"");
        Line($"  curl -sS -H \"{auth}\" \"{api}/v1/history/$ID\"; curl -sS -H \"{auth}\" \"{api}/v1/history/$ID/receipts\"");
        if (ada.Sandbox is not null)
        {
            Line();
            Line("What each sandboxed channel received:");
            foreach (var channel in StackChannels.All.Where(Sandboxed))
            {
                Line($"  curl -sS -H \"{sandboxAuth}\" '{sandbox}/sandbox/inbox?channel={channel}'");
            }
        }
        if (Sandboxed(StackChannels.Sms))
        {
            Line();
            Line($"Send as teacher t.ivanova by SMS: her phone ({TeacherPhone}) writes to the gateway's phone, which passes it to");
            Line("Ada (groups by id or name before the first ':', the text after it; see docs/sms.md):");
            Line($"  curl -sS -X POST -H \"{sandboxAuth}\" {sandbox}/sandbox/sms/inbound -H 'Content-Type: application/json' -d '{{\"from\":\"{TeacherPhone}\",\"text\":\"ИВТ-21, ИВТ-22: Семинар перенесён в ауд. 214\"}}'");
            Line("Ada answers her by SMS with the message's code; ask how it went:");
            Line($"  curl -sS -H \"{sandboxAuth}\" '{sandbox}/sandbox/inbox?channel=sms&chatId=%2B{TeacherPhone[1..]}'");
            Line($"  curl -sS -X POST -H \"{sandboxAuth}\" {sandbox}/sandbox/sms/inbound -H 'Content-Type: application/json' -d '{{\"from\":\"{TeacherPhone}\",\"text\":\"STATUS <code>\"}}'");
        }
        if (Sandboxed(StackChannels.Telegram) && demoCode is not null)
        {
            Line();
            Line($"Telegram bot, as a student: open this link in a browser (the sandbox's t.me): it starts the bot with");
            Line($"{DemoStudent}'s link code, the bot links the new chat to her and says so; queue the message above again");
            Line("and it reaches her there too (the chat page shows it):");
            Line($"  {sandbox}/sandbox/telegram/t.me/{SandboxBot}?start={demoCode}&token={control}");
            Line("Telegram bot, as teacher t.ivanova: open her chat and type /send (or just a text); pick ИВТ-21 with the");
            Line("buttons, press Готово, write the text, choose Сейчас, read the summary and press Отправить: that");
            Line("message then shows the delivery live until the final counts. /history, /status <code>, /cancel <code>:");
            Line($"  {sandbox}/sandbox/telegram/chat/{TeacherChat}?token={control}");
        }
        if (Sandboxed(StackChannels.Vk))
        {
            Line();
            Line("VK: n.kozlov (VK id 500008) forbids messages from the community, then allows them again; the sandbox sends");
            Line("message_deny / message_allow to Ada's Callback API, which turns his VK contact off and on (\"inactive\":[\"vk\"]):");
            Line($"  curl -sS -X POST -H \"{sandboxAuth}\" {sandbox}/sandbox/vk/users/500008/deny; curl -sS -H \"{auth}\" {api}/v1/users/n.kozlov");
            Line($"  curl -sS -X POST -H \"{sandboxAuth}\" {sandbox}/sandbox/vk/users/500008/allow; curl -sS -H \"{auth}\" {api}/v1/users/n.kozlov");
        }
        Line();
        Line("Ctrl+C stops everything.");
        return o.ToString();
    }

    /// <summary>A .run/ left by an older run (made before it was closed) is closed too: owner-only, like everything this run writes.</summary>
    private static void CloseToOthers(string dir)
    {
        const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
            UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        foreach (var path in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Prepend(dir))
        {
            if (new FileInfo(path).LinkTarget is null)
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~Others);
            }
        }
    }

    private FileStream Lock()
    {
        try
        {
            return new FileStream(Path.Combine(_runDir, "run.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new RunError("deploy/run.sh is already running from this checkout (lock: .run/run.lock)");
        }
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static void Say(string line) => Console.Error.WriteLine($"==> {line}");

    private static void Warn(string line) => Console.Error.WriteLine($"warning: {line}");

    private sealed class RunError(string message) : Exception(message);
}
