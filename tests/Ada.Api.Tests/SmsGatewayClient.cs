using System.Security.Cryptography;
using System.Text;

namespace Ada.Api.Tests;

/// <summary>
/// Plays the Android SMS gateway against the API: signs webhook envelopes the way the gateway does
/// (hex HMAC-SHA256 over the raw body followed by X-Timestamp), and reads what Ada queued in answer.
/// </summary>
public sealed class SmsGatewayClient(AdaApplication app)
{
    public const string SigningKey = "test-sms-signing-key";

    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Sms:WebhookSigningKey"] = SigningKey,
    };

    /// <summary>An SMS courier is alive and publishes a cap of <paramref name="maxSegments"/> segments.</summary>
    public async Task SmsCourierAliveAsync(int? maxSegments = 3)
    {
        var registry = app.Services.GetRequiredService<CourierRegistry>();
        await registry.BeatAsync(Channels.Sms, "test-sms");
        await registry.PublishLimitsAsync(Channels.Sms, new ChannelLimits(MaxSmsSegments: maxSegments));
    }

    /// <summary>
    /// Teacher t1 (+79990000001) owns groups ivt-21 "ИВТ-21" (u1, u2), ivt-22 "ИВТ-22" (u3) and supergroup
    /// ivt-stream "Поток ИВТ"; staff st1 owns ivt-23 "ИВТ-23" (u4); student s1 (+79990000003); user petrov.
    /// </summary>
    public async Task SeedAsync()
    {
        await UserAsync("t1", "teacher", """{"telegram":"1001","sms":"+7 999 000-00-01"}""");
        await UserAsync("st1", "staff", """{"sms":"+79990000002"}""");
        await UserAsync("s1", "student", """{"sms":"+79990000003"}""");
        await UserAsync("petrov", "student", """{"telegram":"1005","sms":"+79990000005"}""");
        foreach (var u in new[] { "u1", "u2", "u3", "u4" })
        {
            await UserAsync(u, "student", $$"""{"telegram":"2{{u[1]}}","sms":"+7999111000{{u[1]}}"}""");
        }
        await app.PutAsync("/v1/groups/ivt-21", """{"name":"ИВТ-21","members":["u1","u2"],"owners":["t1"]}""");
        await app.PutAsync("/v1/groups/ivt-22", """{"name":"ИВТ-22","members":["u3"],"owners":["t1"]}""");
        await app.PutAsync("/v1/groups/ivt-23", """{"name":"ИВТ-23","members":["u4"],"owners":["st1"]}""");
        await app.PutAsync("/v1/supergroups/ivt-stream", """{"name":"Поток ИВТ","groups":["ivt-21","ivt-22"],"owners":["t1"]}""");
    }

    private Task UserAsync(string id, string role, string contacts) =>
        app.PutAsync($"/v1/users/{id}", $$"""{"name":"{{id}}","role":"{{role}}","contacts":{{contacts}}}""");

    public static string Envelope(string @event, object payload, string? id = null) => JsonSerializer.Serialize(new
    {
        deviceId = "ffffffffceb0b1db0000018e937c815b",
        @event,
        id = id ?? "env" + Guid.NewGuid().ToString("N"),
        payload,
        webhookId = "wh-1",
    });

    public static string Received(string phone, string text, string? id = null) => Envelope("sms:received", new
    {
        messageId = "abc123",
        message = text,
        phoneNumber = phone,
        simNumber = 1,
        receivedAt = "2024-06-22T15:46:11.000+07:00",
    }, id);

    public static string Signature(string body, string timestamp, string key = SigningKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body + timestamp)));

    public static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Posts a signed envelope (or one with the given signature and timestamp).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string body, string? timestamp = null, string? signature = null)
    {
        using var client = app.Client(token: null);
        timestamp ??= Now();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Timestamp", timestamp);
        request.Headers.Add("X-Signature", signature ?? Signature(body, timestamp));
        return await client.SendAsync(request);
    }

    /// <summary>Sends an SMS to Ada from <paramref name="phone"/>; asserts 200 and returns the outcome.</summary>
    public async Task<string> SmsAsync(string phone, string text)
    {
        using var response = await PostAsync("/v1/sms/inbound", Received(phone, text));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("outcome").GetString()!;
    }

    /// <summary>The history documents a sender queued, oldest first.</summary>
    public async Task<List<JsonElement>> SentByAsync(string senderId)
    {
        var ids = await app.Db.SortedSetRangeByRankAsync(Keys.SenderHistory(senderId));
        var documents = new List<JsonElement>();
        foreach (var id in ids)
        {
            documents.Add(JsonDocument.Parse((await app.Db.StringGetAsync(Keys.History(id.ToString()))).ToString()).RootElement.Clone());
        }
        return documents;
    }

    /// <summary>Ada's SMS answers to <paramref name="userId"/> (queued as admin), oldest first.</summary>
    public async Task<List<JsonElement>> RepliesToAsync(string userId) =>
        [.. (await SentByAsync("admin")).Where(h =>
            h.GetProperty("to").GetProperty("users").EnumerateArray().Select(u => u.GetString()).SequenceEqual([userId]))];

    /// <summary>The text of the last answer to <paramref name="userId"/>, after checking it is an urgent SMS-only system message.</summary>
    public async Task<string> LastReplyAsync(string userId)
    {
        var replies = await RepliesToAsync(userId);
        Assert.NotEmpty(replies);
        var reply = replies[^1];
        Assert.Equal("sms", reply.GetProperty("origin").GetString());
        Assert.True(reply.GetProperty("urgent").GetBoolean());
        Assert.Equal(["sms"], reply.GetProperty("expectedChannels").EnumerateArray().Select(c => c.GetString()));
        return reply.GetProperty("text").GetString()!;
    }
}
