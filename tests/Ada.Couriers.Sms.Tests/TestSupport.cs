using System.Collections.Concurrent;
using System.Text;
using StackExchange.Redis;

namespace Ada.Couriers.Sms.Tests;

/// <summary>xunit looks for collection definitions only in the test assembly, not in Ada.Testing.</summary>
[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;

/// <summary>
/// A gateway's HTTP side for client tests: answers each request with what <see cref="Answer"/> returns and
/// keeps what was asked.
/// </summary>
public sealed class StubHttp : HttpMessageHandler
{
    public sealed record Call(HttpMethod Method, string Path, string Body, string? Authorization);

    public ConcurrentQueue<Call> Calls { get; } = new();

    public Func<Call, HttpResponseMessage> Answer { get; set; } = _ => Json(HttpStatusCode.OK, "{}");

    public HttpClient Client(string baseAddress) => new(this) { BaseAddress = new Uri(baseAddress) };

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>The form fields of a urlencoded body.</summary>
    public static Dictionary<string, string> Form(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : ""));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var call = new Call(request.Method, request.RequestUri!.AbsolutePath, body, request.Headers.Authorization?.ToString());
        Calls.Enqueue(call);
        return Answer(call);
    }
}

/// <summary>A gateway that answers from a script, for the sender's own logic.</summary>
public sealed class FakeGateway(int maxRecipients = 50, bool polls = false) : ISmsGateway
{
    public ConcurrentQueue<(string Text, IReadOnlyList<string> Numbers, string Key)> Requests { get; } = new();

    public Func<string, SmsSendResult> Result { get; set; } = phone => new SmsSendResult.Accepted($"id-{phone}");

    public string Name => "fake";

    public int MaxRecipientsPerRequest => maxRecipients;

    public bool PollsDeliveryStatus => polls;

    public Task<IReadOnlyList<SmsSendResult>> SendAsync(string text, IReadOnlyList<string> phoneNumbers, string requestKey,
        CancellationToken cancellationToken)
    {
        Requests.Enqueue((text, phoneNumbers, requestKey));
        return Task.FromResult<IReadOnlyList<SmsSendResult>>([.. phoneNumbers.Select(Result)]);
    }
}

/// <summary>What the SMS tests read and seed in their <see cref="TestDatabase"/>, and the parts of the courier they wire on it.</summary>
public static class SmsTestData
{
    /// <summary>The courier store on the test's database, as the sender and the status poller write through it.</summary>
    public static CourierStore Store(this TestDatabase database) => new(database.Mux, new AdaScripts());

    /// <summary>The sender as the courier wires it, around <paramref name="gateway"/>; logs in <paramref name="output"/> if given.</summary>
    public static SmsSender Sender(this TestDatabase database, ISmsGateway gateway, SmsOptions options, ITestOutputHelper? output = null)
    {
        var scripts = new AdaScripts();
        return new SmsSender(gateway, Options.Create(options), database.Mux, scripts, new CourierStore(database.Mux, scripts),
            new SmsRuPending(database.Mux), TimeProvider.System, new TestLogger<SmsSender>(output));
    }

    /// <summary>The SMS.ru status poller as the courier wires it, around <paramref name="client"/>.</summary>
    public static SmsRuStatusPoller Poller(this TestDatabase database, SmsRuClient client, SmsOptions options, ITestOutputHelper output) =>
        new(client, new SmsRuPending(database.Mux), database.Store(), Options.Create(options), TimeProvider.System,
            new TestLogger<SmsRuStatusPoller>(output));

    /// <summary>A message whose SMS section sent to <paramref name="sent"/> (receipts <c>sent</c>), as the runtime leaves it.</summary>
    public static async Task<string> SentMessageAsync(this TestDatabase database, params (string UserId, string ProviderId)[] sent)
    {
        var id = MessageIds.New("t.lee", TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var section = ChannelSection.New() with { State = ChannelStates.Done, Sent = sent.Length };
        var history = new HistoryDocument(id, "t.lee", "api", "Лекция отменена", new Addressees([.. sent.Select(s => s.UserId)], [], []),
            sent.Length, AdaJson.Timestamp(now), null, AdaJson.Timestamp(now), now.ToUnixTimeMilliseconds(), false, null,
            MessageStates.Done, [Channels.Sms], new Dictionary<string, ChannelSection> { [Channels.Sms] = section });
        await database.Db.StringSetAsync(Keys.History(id), AdaJson.Serialize(history));
        foreach (var (userId, providerId) in sent)
        {
            await database.Db.HashSetAsync(Keys.Receipts(id), $"sms:{userId}",
                AdaJson.Serialize(new Receipt(userId, Channels.Sms, ReceiptStatus.Sent, ProviderMessageId: providerId)));
        }
        return id;
    }

    public static async Task<Receipt> ReceiptAsync(this TestDatabase database, string id, string userId) =>
        AdaJson.Deserialize<Receipt>((await database.Db.HashGetAsync(Keys.Receipts(id), $"sms:{userId}")).ToString())!;

    public static async Task<string> ReceiptJsonAsync(this TestDatabase database, string id, string userId) =>
        (await database.Db.HashGetAsync(Keys.Receipts(id), $"sms:{userId}")).ToString();

    public static async Task<System.Text.Json.Nodes.JsonNode> SmsSectionAsync(this TestDatabase database, string id) =>
        System.Text.Json.Nodes.JsonNode.Parse((await database.Db.StringGetAsync(Keys.History(id))).ToString())!["channels"]!["sms"]!;
}
