using Ada.Core;
using Ada.Core.Messages;
using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Testing;

/// <summary>One database of the shared redis-server, with its own connection, for one test (every test project's one).</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static readonly AdaScripts Scripts = new();

    private TestDatabase(RedisServer server, ConnectionMultiplexer mux, int number)
    {
        Server = server;
        Mux = mux;
        Number = number;
    }

    public RedisServer Server { get; }
    public ConnectionMultiplexer Mux { get; }
    public int Number { get; }
    public IDatabase Db => Mux.GetDatabase();
    public string ConnectionString => Server.ConnectionString(Number);
    public MessageStore Messages => new(Mux, Scripts);

    /// <param name="admin">Allows CONFIG and SCRIPT; Ada's services connect without it.</param>
    public static async Task<TestDatabase> OpenAsync(RedisServer redis, bool admin = false)
    {
        var number = redis.NextDatabase();
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString(number) + (admin ? ",allowAdmin=true" : ""));
        return new TestDatabase(redis, mux, number);
    }

    /// <summary>Another connection to the same database, as a second process would have.</summary>
    public Task<ConnectionMultiplexer> ConnectAgainAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public async Task<string> RawHistoryAsync(string id) => (await Db.StringGetAsync(Keys.History(id))).ToString();

    /// <summary>The shards of the due index that hold the id.</summary>
    public async Task<IReadOnlyList<int>> DueShardsHoldingAsync(string id)
    {
        var shards = new List<int>();
        for (var s = 0; s < Keys.DueShards; s++)
        {
            if ((await Db.SortedSetScoreAsync(Keys.Due(s), id)).HasValue)
            {
                shards.Add(s);
            }
        }
        return shards;
    }

    public async Task<long> DueIndexSizeAsync()
    {
        long total = 0;
        for (var s = 0; s < Keys.DueShards; s++)
        {
            total += await Db.SortedSetLengthAsync(Keys.Due(s));
        }
        return total;
    }

    /// <summary>Unix ms at which the key expires; -1 without a TTL, -2 when the key is absent.</summary>
    public async Task<long> ExpireTimeMsAsync(RedisKey key) => (long)await Db.ExecuteAsync("PEXPIRETIME", key);

    /// <summary>A message from t.lee to <paramref name="recipients"/> in one channel, due now, queued as the API queues it.</summary>
    public async Task<HistoryDocument> EnqueueDueNowAsync(string channel, IReadOnlyList<string> recipients, string text)
    {
        var now = DateTimeOffset.UtcNow;
        var history = new HistoryDocument(
            Id: MessageIds.New("t.lee", TimeProvider.System),
            Sender: "t.lee",
            Origin: "api",
            Text: text,
            To: new Addressees([.. recipients], [], []),
            Recipients: recipients.Count,
            CreatedAt: AdaJson.Timestamp(now),
            RequestedAt: null,
            DeliverAt: AdaJson.Timestamp(now),
            DeliverAtMs: now.ToUnixTimeMilliseconds(),
            Urgent: false,
            Rescheduled: null,
            State: MessageStates.Scheduled,
            ExpectedChannels: [channel],
            Channels: new Dictionary<string, ChannelSection> { [channel] = ChannelSection.New() });
        var outcome = await Messages.EnqueueAsync(new EnqueueCommand(history, "fp", $$"""{"id":"{{history.Id}}"}""", recipients, 0, 0));
        return outcome is EnqueueOutcome.Accepted ? history : throw new InvalidOperationException($"The test message was refused: {outcome}");
    }

    public ValueTask DisposeAsync() => Mux.DisposeAsync();
}
