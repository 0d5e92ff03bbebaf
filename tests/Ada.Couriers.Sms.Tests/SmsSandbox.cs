using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ada.Couriers.Sms.Tests;

/// <summary>
/// services/Ada.Sandbox as a process, one per test class, speaking SMS Gateway for Android (local server and cloud)
/// and SMS.ru. Tests share it, so each uses numbers of its own.
/// </summary>
public sealed class SmsSandbox : IAsyncLifetime
{
    public const string Username = "sms";
    public const string Password = "gateway-secret";
    public const string ApiId = "smsru-api-id";
    public static readonly TimeSpan DeliveryDelay = TimeSpan.FromMilliseconds(300);

    private static int _nextNumber;

    public ServiceProcess Process { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public Uri BaseAddress => Process.BaseAddress;
    public string LocalServer => BaseAddress.ToString().TrimEnd('/');
    public string CloudServer => LocalServer + "/3rdparty/v1";

    /// <summary>A phone number no other test of this run uses.</summary>
    public static string NewNumber() => $"+7999{Environment.ProcessId % 1000:000}{Interlocked.Increment(ref _nextNumber):0000}";

    public async Task InitializeAsync()
    {
        Process = await ServiceProcess.StartAsync("Ada.Sandbox", new Dictionary<string, string>
        {
            [SandboxControl.Variable] = SandboxControl.Token,
            ["Sandbox__Sms__Username"] = Username,
            ["Sandbox__Sms__Password"] = Password,
            ["Sandbox__Sms__DeliveryDelayMilliseconds"] = ((int)DeliveryDelay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sandbox__SmsRu__ApiId"] = ApiId,
        });
        Http = new HttpClient { BaseAddress = Process.BaseAddress }.Authorized();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }

    public async Task SetNumberAsync(string phone, string state)
    {
        using var response = await Http.PutAsJsonAsync($"/sandbox/sms/numbers/{Uri.EscapeDataString(phone)}", new { state });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// The Android gateway's answer-lost fault (<c>accept_then_timeout</c>, <c>accept_then_error502</c>, <c>none</c>): the
    /// next <paramref name="count"/> accepted sends are sent but their answer never arrives.
    /// </summary>
    public async Task SetGatewayFaultAsync(string mode, int? count = 1)
    {
        using var response = await Http.PutAsJsonAsync("/sandbox/sms/fault", new { mode, count });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The texts the number received: (text, the gateway's message id).</summary>
    public async Task<IReadOnlyList<(string Text, string? ProviderMessageId)>> InboxAsync(string phone)
    {
        var page = (await Http.GetFromJsonAsync<JsonObject>($"/sandbox/inbox?channel=sms&chatId={Uri.EscapeDataString(phone)}"))!;
        return [.. page["messages"]!.AsArray().Select(m => ((string)m!["text"]!, (string?)m["providerMessageId"]))];
    }

    /// <summary>The webhooks registered with the local server (or the cloud, when <paramref name="cloud"/>).</summary>
    public async Task<IReadOnlyList<(string Event, string Url)>> WebhooksAsync(bool cloud = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, cloud ? "/3rdparty/v1/webhooks" : "/webhooks");
        request.Headers.Authorization = AndroidGatewayClient.BasicAuth(Username, Password);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var list = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        return [.. list.Select(w => ((string)w!["event"]!, (string)w["url"]!))];
    }
}

/// <summary>Ada's API as far as the gateway's webhooks go: records each event posted to /v1/sms/reports and /v1/sms/inbound.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri address)
    {
        _app = app;
        PublicUrl = address;
    }

    public Uri PublicUrl { get; }
    public ConcurrentQueue<JsonObject> Reports { get; } = new();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, new Uri($"http://127.0.0.1:{port}/ada"));
        app.MapPost("/ada/v1/sms/reports", async (HttpRequest request) =>
        {
            receiver.Reports.Enqueue((await JsonNode.ParseAsync(request.Body))!.AsObject());
            return Results.Ok();
        });
        app.MapPost("/ada/v1/sms/inbound", () => Results.Ok());
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Events of one kind (sms:delivered, …) for one number.</summary>
    public IReadOnlyList<JsonObject> Of(string @event, string phone) =>
        [.. Reports.Where(r => (string?)r["event"] == @event && (string?)r["payload"]!["phoneNumber"] == phone)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Messages queued as the API queues them (core's enqueue script), for the courier process to deliver.</summary>
public static class Queue
{
    public static async Task<string> SmsAsync(TestDatabase redis, string text, params (string UserId, string Phone)[] to)
    {
        foreach (var (userId, phone) in to)
        {
            await redis.Db.HashSetAsync(Keys.Contacts(Channels.Sms), userId, phone);
        }
        var now = DateTimeOffset.UtcNow;
        var id = MessageIds.New("t.lee", TimeProvider.System);
        var history = new HistoryDocument(id, "t.lee", "api", text, new Addressees([.. to.Select(t => t.UserId)], [], []),
            to.Length, AdaJson.Timestamp(now), null, AdaJson.Timestamp(now), now.ToUnixTimeMilliseconds(), false, null,
            MessageStates.Scheduled, [Channels.Sms], new Dictionary<string, ChannelSection> { [Channels.Sms] = ChannelSection.New() });
        var outcome = await new MessageStore(redis.Mux, new AdaScripts()).EnqueueAsync(
            new EnqueueCommand(history, "fingerprint", "{}", [.. to.Select(t => t.UserId)], 1000, 1000));
        Assert.IsType<EnqueueOutcome.Accepted>(outcome);
        return id;
    }

    public static async Task<IReadOnlyList<Receipt>> ReceiptsAsync(TestDatabase redis, string id) =>
        await new MessageStore(redis.Mux, new AdaScripts()).GetReceiptsAsync(id);
}
