using System.Globalization;
using System.Net.Http.Json;
using Ada.Core;
using Ada.Core.Messages;
using Ada.Testing;
using StackExchange.Redis;

namespace Ada.Couriers.Email.Tests;

/// <summary>xunit looks for collection definitions only in the test assembly, not in Ada.Testing.</summary>
[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;

/// <summary>
/// The email courier as it is deployed: its own process, configured by environment variables, against the
/// sandbox's SMTP server (another process), on one database of the shared redis-server.
/// </summary>
public sealed class EmailStack : IAsyncDisposable
{
    public const string From = "Ada <noreply@university.example>";
    public const string Domain = "university.example";

    private readonly List<ServiceProcess> _couriers = [];

    private EmailStack(TestDatabase redis, ServiceProcess sandbox, int smtpPort)
    {
        Redis = redis;
        Sandbox = sandbox;
        SmtpPort = smtpPort;
        SandboxHttp = new HttpClient { BaseAddress = sandbox.BaseAddress }.Authorized();
    }

    /// <summary>The test's own database of the shared redis-server.</summary>
    public TestDatabase Redis { get; }
    public IDatabase Db => Redis.Db;
    public ServiceProcess Sandbox { get; }
    public int SmtpPort { get; }
    public HttpClient SandboxHttp { get; }
    public IReadOnlyList<ServiceProcess> Couriers => _couriers;

    public static async Task<EmailStack> StartAsync(RedisServer redis)
    {
        var database = await TestDatabase.OpenAsync(redis);
        var sandbox = await ServiceProcess.StartAsync("Ada.Sandbox", new Dictionary<string, string> { [SandboxControl.Variable] = SandboxControl.Token });
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress }.Authorized();
        var server = await http.GetFromJsonAsync<SmtpServerView>("/sandbox/email");
        return new EmailStack(database, sandbox, server!.Port);
    }

    /// <summary>An email courier against the sandbox (plain SMTP, no AUTH), with short leases so a crash is recovered in seconds.</summary>
    public async Task<ServiceProcess> StartCourierAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Email__Host"] = "127.0.0.1",
            ["Email__Port"] = SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email__Security"] = "none",
            ["Email__From"] = From,
            ["Email__MessagesPerSecond"] = "0",
            ["Courier__LeaseSeconds"] = "2",
            ["Courier__RenewMilliseconds"] = "200",
            ["Courier__SweepSeconds"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var courier = await ServiceProcess.StartAsync("Ada.Couriers.Email", environment);
        _couriers.Add(courier);
        return courier;
    }

    public static string AddressOf(int student) => $"student{student}@{Domain}";

    public static List<string> Students(int count) => [.. Enumerable.Range(1, count).Select(i => $"s{i}")];

    /// <summary>Students s1…sN with addresses student1@…; every one has a contact in <c>contacts:email</c>.</summary>
    public async Task AddContactsAsync(int count)
    {
        var entries = Enumerable.Range(1, count).Select(i => new HashEntry($"s{i}", AddressOf(i))).ToArray();
        await Db.HashSetAsync(Keys.Contacts(Channels.Email), entries);
    }

    /// <summary>A message to email, due now, as the API would queue it.</summary>
    public async Task<string> EnqueueAsync(IReadOnlyList<string> recipients, string text)
    {
        return (await Redis.EnqueueDueNowAsync(Channels.Email, recipients, text)).Id;
    }

    public Task<HistoryDocument> WaitDoneAsync(string id, TimeSpan? within = null) =>
        Eventually.WaitAsync(
            async () => (await Redis.Messages.GetHistoryAsync(id))!,
            h => h.State == MessageStates.Done,
            within ?? TimeSpan.FromSeconds(60), $"{id} to be done");

    public async Task<Receipt> ReceiptAsync(string id, string userId)
    {
        var json = await Db.HashGetAsync(Keys.Receipts(id), $"{Channels.Email}:{userId}");
        return AdaJson.Deserialize<Receipt>(json.ToString())!;
    }

    public async Task SetFaultAsync(string mode, int? count = null)
    {
        using var response = await SandboxHttp.PutAsJsonAsync("/sandbox/email/fault", new { mode, count });
        response.EnsureSuccessStatusCode();
    }

    public async Task<List<Mail>> InboxAsync(string? address = null)
    {
        var url = "/sandbox/inbox?channel=email&limit=100000" + (address is null ? "" : $"&chatId={Uri.EscapeDataString(address)}");
        return (await SandboxHttp.GetFromJsonAsync<InboxPage>(url))!.Messages;
    }

    public async Task<EmailStats> StatsAsync() => (await SandboxHttp.GetFromJsonAsync<Stats>("/sandbox/stats"))!.Email;

    public async ValueTask DisposeAsync()
    {
        foreach (var courier in _couriers)
        {
            await courier.DisposeAsync();
        }
        await Sandbox.DisposeAsync();
        SandboxHttp.Dispose();
        await Redis.DisposeAsync();
    }

    public sealed record Mail(string ChatId, long MessageId, string Text, string? ProviderMessageId, string? Subject);

    public sealed record InboxPage(int Total, List<Mail> Messages);

    public sealed record EmailStats(long Sessions, long Messages, long Sent, long Deferred, long Rejected, long Dropped);

    private sealed record Stats(EmailStats Email);

    private sealed record SmtpServerView(string Host, int Port);
}
