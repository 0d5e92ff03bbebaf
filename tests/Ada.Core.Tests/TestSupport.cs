using System.Collections.Concurrent;

namespace Ada.Core.Tests;

/// <summary>xunit looks for collection definitions only in the test assembly, not in Ada.Testing.</summary>
[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;

/// <summary>xunit looks for collection definitions only in the test assembly, not in Ada.Testing.</summary>
[CollectionDefinition(ClusterCollection.Name)]
public sealed class ClusterCollectionDefinition : ICollectionFixture<RedisCluster>;

/// <summary>Keyevent notifications of one kind (<c>del</c>, <c>expired</c>) in one database, as they arrive.</summary>
public sealed class KeyEventLog
{
    private readonly ConcurrentQueue<string> _keys = new();

    public static async Task<KeyEventLog> SubscribeAsync(TestDatabase database, string keyevent)
    {
        var log = new KeyEventLog();
        await database.Mux.GetSubscriber().SubscribeAsync(
            RedisChannel.Literal($"__keyevent@{database.Number}__:{keyevent}"),
            (_, key) => log._keys.Enqueue(key.ToString()));
        return log;
    }

    public bool Saw(RedisKey key) => _keys.Contains(key.ToString());

    public Task WaitForAsync(RedisKey key, TimeSpan timeout) =>
        Eventually.WaitAsync(() => Task.FromResult(Saw(key)), timeout, $"a keyevent on {key}");
}

/// <summary>Messages as the API would queue them.</summary>
public static class Sample
{
    public static readonly string[] TelegramAndVk = [Channels.Telegram, Channels.Vk];
    public static readonly string[] TelegramOnly = [Channels.Telegram];

    /// <summary>How long a courier test waits for a delivery it expects.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static HistoryDocument History(
        string sender, DateTimeOffset deliverAt, int recipients, IReadOnlyList<string>? channels = null, Addressees? to = null)
    {
        var expected = channels ?? TelegramAndVk;
        var now = DateTimeOffset.UtcNow;
        return new HistoryDocument(
            Id: MessageIds.New(sender, TimeProvider.System),
            Sender: sender,
            Origin: "api",
            Text: "Лекция 10:00 отменена",
            To: to ?? new Addressees([], ["g1"], []),
            Recipients: recipients,
            CreatedAt: AdaJson.Timestamp(now),
            RequestedAt: null,
            DeliverAt: AdaJson.Timestamp(deliverAt),
            DeliverAtMs: deliverAt.ToUnixTimeMilliseconds(),
            Urgent: false,
            Rescheduled: null,
            State: MessageStates.Scheduled,
            ExpectedChannels: [.. expected],
            Channels: expected.ToDictionary(c => c, _ => ChannelSection.New()));
    }

    public static EnqueueCommand Command(
        HistoryDocument history, IReadOnlyList<string> recipients, string fingerprint = "fp-1",
        int messagesPerHour = 0, int recipientsPerMessage = 0) =>
        new(history, fingerprint, $$"""{"id":"{{history.Id}}","recipients":{{recipients.Count}}}""", recipients,
            messagesPerHour, recipientsPerMessage);

    public static List<string> Users(int count, string prefix = "u") =>
        [.. Enumerable.Range(1, count).Select(i => $"{prefix}{i}")];

    /// <summary>The Telegram chat <see cref="ImportStudentsAsync"/> gives a sample user: u17 → 1017.</summary>
    public static string ChatOf(string userId) => "10" + userId[1..];

    /// <summary>Imports the users as students with a Telegram contact (<see cref="ChatOf"/>), but none for <paramref name="withoutContact"/>.</summary>
    public static Task<ImportResult> ImportStudentsAsync(TestDatabase database, IEnumerable<string> users, HashSet<string>? withoutContact = null) =>
        new DirectoryStore(database.Mux, TestDatabase.Scripts).ImportAsync(
            [.. users.Select(u => new User(u, $"Student {u}", Roles.Student,
                withoutContact?.Contains(u) == true
                    ? new Dictionary<string, string>()
                    : new Dictionary<string, string> { [Channels.Telegram] = ChatOf(u) },
                []))],
            [], []);

    /// <summary>Waits (<see cref="Deadline"/> at most) until the message's Telegram section is done.</summary>
    public static Task<HistoryDocument> WaitForTelegramDoneAsync(TestDatabase database, string id) =>
        Eventually.WaitAsync(
            async () => (await database.Messages.GetHistoryAsync(id))!,
            h => h.Channels[Channels.Telegram].State == ChannelStates.Done,
            Deadline, $"the telegram section of {id} to be done");

    /// <summary>Queues a message and fails the test unless it was accepted.</summary>
    public static async Task<HistoryDocument> EnqueueAsync(
        TestDatabase database, DateTimeOffset deliverAt, IReadOnlyList<string> recipients,
        IReadOnlyList<string>? channels = null, Addressees? to = null, string sender = "t1")
    {
        var history = History(sender, deliverAt, recipients.Count, channels, to);
        var outcome = await database.Messages.EnqueueAsync(Command(history, recipients));
        Assert.IsType<EnqueueOutcome.Accepted>(outcome);
        return history;
    }
}
