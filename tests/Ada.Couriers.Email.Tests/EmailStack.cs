using System.Net.Http.Json;
using Ada.Core;
using StackExchange.Redis;

namespace Ada.Couriers.Email.Tests;

/// <summary>xunit looks for collection definitions only in the test assembly, not in Ada.Testing.</summary>
[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;

/// <summary>
/// The email courier as it is deployed: its own process, configured by environment variables, against the
/// sandbox's SMTP server (another process), on one database of the shared redis-server — deploy/Ada.Stack's
/// <see cref="AdaProcesses"/> with no API and email couriers started by the tests.
/// </summary>
public sealed class EmailStack : IAsyncDisposable
{
    public const string From = "Ada <noreply@university.example>";
    public const string Domain = "university.example";

    private EmailStack(TestDatabase redis, AdaProcesses processes)
    {
        Redis = redis;
        Processes = processes;
        SandboxHttp = processes.SandboxClient();
    }

    /// <summary>The test's own database of the shared redis-server.</summary>
    public TestDatabase Redis { get; }
    public IDatabase Db => Redis.Db;
    public AdaProcesses Processes { get; }
    public HttpClient SandboxHttp { get; }
    public IReadOnlyList<ServiceProcess> Couriers => Processes.Couriers(Channels.Email);

    public static async Task<EmailStack> StartAsync(RedisServer redis)
    {
        var database = await TestDatabase.OpenAsync(redis);
        try
        {
            // Short leases, so a crash is recovered in seconds.
            var processes = await AdaProcesses.StartAsync(new AdaProcessesOptions
            {
                Redis = new RedisTarget(database.ConnectionString, database.Number),
                Couriers = [],
                ApiInstances = 0,
                Unpaced = true,
                EmailFrom = From,
                CourierSettings = new()
                {
                    ["Courier__LeaseSeconds"] = "2",
                    ["Courier__RenewMilliseconds"] = "200",
                    ["Courier__SweepSeconds"] = "1",
                },
            });
            return new EmailStack(database, processes);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>An email courier against the sandbox (plain SMTP, no AUTH), <paramref name="settings"/> over the stack's.</summary>
    public Task<ServiceProcess> StartCourierAsync(IReadOnlyDictionary<string, string>? settings = null) =>
        Processes.StartCourierAsync(Channels.Email, settings);

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
        await Processes.DisposeAsync();
        SandboxHttp.Dispose();
        await Redis.DisposeAsync();
    }

    public sealed record Mail(string ChatId, long MessageId, string Text, string? ProviderMessageId, string? Subject);

    public sealed record InboxPage(int Total, List<Mail> Messages);

    public sealed record EmailStats(long Sessions, long Messages, long Sent, long Deferred, long Rejected, long Dropped);

    private sealed record Stats(EmailStats Email);
}
