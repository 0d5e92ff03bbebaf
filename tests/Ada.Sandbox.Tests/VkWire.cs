using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Ada.Sandbox.Vk;

namespace Ada.Sandbox.Tests;

/// <summary>The sandbox with a fixed VK token, and a seam for the Callback API's outgoing HTTP.</summary>
public sealed class VkSandboxApplication(HttpMessageHandler? callbackHandler, params (string Key, string Value)[] settings)
    : SandboxFactory(settings)
{
    public VkSandboxApplication(params (string Key, string Value)[] settings)
        : this(null, settings)
    {
    }

    /// <summary>Replaces the sandbox's clock, e.g. with a StoppedClock so a rate-limit window cannot slide mid-test.</summary>
    public TimeProvider? Time { get; init; }

    protected override IEnumerable<(string Key, string Value)> Defaults => [("Sandbox:Vk:Token", VkWire.Token)];

    protected override string InboxQuery => "?channel=vk&limit=100000";

    public async Task<VkCountersSnapshot> ReadStatsAsync()
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<SandboxStatsView>("/sandbox/stats"))!.Vk;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);

        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton(Time);
            }

            if (callbackHandler is not null)
            {
                services.AddHttpClient(VkCallbackSender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => callbackHandler);
            }
        });
    }
}

/// <summary>A clock that never moves: whatever a sliding window admitted stays in it for the whole test.</summary>
public sealed class StoppedClock : TimeProvider
{
    private static readonly DateTimeOffset Now = new(2025, 1, 15, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public override long GetTimestamp() => 0;
}

/// <summary>Calls /method/* the way a VK client does: a urlencoded POST with access_token and v.</summary>
public static class VkWire
{
    public const string Token = "vk-sandbox-token";

    public static async Task<VkAnswer> CallAsync(this HttpClient http, string method, params (string Key, string Value)[] parameters)
    {
        using var form = new FormUrlEncodedContent(
            new[] { ("access_token", Token), ("v", "5.199") }.Concat(parameters).Select(p => KeyValuePair.Create(p.Item1, p.Item2)));
        return await ReadAsync(await http.PostAsync($"/method/{method}", form));
    }

    public static async Task<VkAnswer> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            return new VkAnswer(response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
        }
    }

    public static string Send(string peer, long randomId, string message) =>
        $$"""API.messages.send({"peer_id": {{peer}}, "random_id": {{randomId}}, "message": {{JsonSerializer.Serialize(message)}}})""";

    public static string SendToPeers(IEnumerable<long> peers, long randomId, string message) =>
        $$"""API.messages.send({"peer_ids": "{{string.Join(',', peers)}}", "random_id": {{randomId}}, "message": {{JsonSerializer.Serialize(message)}}})""";
}

public sealed record VkAnswer(HttpStatusCode Status, JsonElement Body)
{
    public JsonElement Response => Body.GetProperty("response");

    public JsonElement Error => Body.GetProperty("error");

    public int ErrorCode => Error.GetProperty("error_code").GetInt32();

    public string ErrorMsg => Error.GetProperty("error_msg").GetString()!;

    public List<(string Key, string Value)> RequestParams =>
        [.. Error.GetProperty("request_params").EnumerateArray()
            .Select(p => (p.GetProperty("key").GetString()!, p.GetProperty("value").GetString()!))];
}

/// <summary>Stands in for the Callback API server: answers "ok" and keeps what it was sent.</summary>
public sealed class CallbackRecorder : HttpMessageHandler
{
    private readonly List<(Uri Url, string ContentType, JsonElement Body)> received = [];

    public IReadOnlyList<(Uri Url, string ContentType, JsonElement Body)> Received
    {
        get
        {
            lock (received)
            {
                return [.. received];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        lock (received)
        {
            received.Add((request.RequestUri!, request.Content.Headers.ContentType!.MediaType!, JsonDocument.Parse(body).RootElement.Clone()));
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") };
    }
}
