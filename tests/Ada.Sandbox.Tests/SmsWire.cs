using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ada.Sandbox.Tests;

/// <summary>The sandbox with SMS credentials, a signing key and a short delivery delay; settings given win.</summary>
public sealed class SmsSandboxApplication(params (string Key, string Value)[] settings) : SandboxFactory(settings)
{
    public const string Username = "sms";
    public const string Password = "gateway-secret";
    public const string SigningKey = "signing-key-0123";
    public const string ApiId = "SMSRU-API-ID";

    protected override IEnumerable<(string Key, string Value)> Defaults =>
    [
        ("Sandbox:Sms:Username", Username),
        ("Sandbox:Sms:Password", Password),
        ("Sandbox:Sms:SigningKey", SigningKey),
        ("Sandbox:Sms:DeliveryDelayMilliseconds", "100"),
        ("Sandbox:SmsRu:ApiId", ApiId),
    ];

    /// <summary>A client that sends Basic credentials (the configured ones unless others are given).</summary>
    public HttpClient CreateGatewayClient(string username = Username, string password = Password)
    {
        var http = CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        return http;
    }

    public async Task SetNumberAsync(string phone, string state) =>
        await PutAsync($"/sandbox/sms/numbers/{Uri.EscapeDataString(phone)}", new { state });

    protected override string InboxQuery => "?channel=sms";

    /// <summary>Registers a webhook for each event on the local server's API.</summary>
    public async Task RegisterAsync(Uri url, params string[] events)
    {
        using var http = CreateGatewayClient();
        foreach (var @event in events)
        {
            using var response = await http.PostAsJsonAsync("/webhooks", new { url = url.AbsoluteUri, @event });
            response.EnsureSuccessStatusCode();
        }
    }
}

/// <summary>One webhook POST as it arrived: path, the raw body and the headers.</summary>
public sealed record ReceivedWebhook(string Path, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Event => Json.GetProperty("event").GetString()!;

    public JsonElement Payload => Json.GetProperty("payload");

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>True when X-Signature is the hex HMAC-SHA256 of the raw body followed by X-Timestamp.</summary>
    public bool IsSignedWith(string key)
    {
        if (Header("X-Signature") is not { } signature || Header("X-Timestamp") is not { } timestamp)
        {
            return false;
        }

        byte[] message = [.. Body, .. Encoding.UTF8.GetBytes(timestamp)];
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(expected)), Encoding.ASCII.GetBytes(signature));
    }
}

/// <summary>A real HTTP server on a free 127.0.0.1 port that records every POST and answers as told.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private WebApplication? app;

    public int ResponseStatus { get; set; } = StatusCodes.Status200OK;

    public string ResponseBody { get; set; } = "ok";

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<ReceivedWebhook> Received => [.. received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        receiver.app = builder.Build();
        receiver.app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            receiver.received.Enqueue(new ReceivedWebhook(
                http.Request.Path.Value ?? "",
                body.ToArray(),
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            http.Response.StatusCode = receiver.ResponseStatus;
            await http.Response.WriteAsync(receiver.ResponseBody);
        });
        await receiver.app.StartAsync();

        var address = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = new Uri(address + "/");
        return receiver;
    }

    public Uri Url(string path) => new(BaseUrl, path.TrimStart('/'));

    /// <summary>Waits for the webhooks of the event, failing the test once the deadline passes.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(string @event, int count = 1, TimeSpan? deadline = null)
    {
        IReadOnlyList<ReceivedWebhook> matching = [];
        await Eventually.HoldsAsync(
            () =>
            {
                matching = [.. received.Where(webhook => webhook.Event == @event)];
                return Task.FromResult(matching.Count >= count);
            },
            deadline ?? TimeSpan.FromSeconds(10),
            $"{count} {@event} webhook(s) arrive");
        return matching;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}

public static class SmsJson
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public static string[] Names(this JsonElement element) => [.. element.EnumerateObject().Select(property => property.Name)];
}
