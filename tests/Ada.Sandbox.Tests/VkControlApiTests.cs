namespace Ada.Sandbox.Tests;

/// <summary>The VK control routes, and the Callback API events they send on as VK would.</summary>
public sealed class VkControlApiTests
{
    private const string CallbackUrl = "http://callbacks.test/vk";

    private static readonly (string, string)[] CallbackSettings =
    [
        ("Sandbox:Vk:CallbackUrl", CallbackUrl),
        ("Sandbox:Vk:GroupId", "229000111"),
        ("Sandbox:Vk:Secret", "s3cret"),
    ];

    [Fact]
    public async Task Allow_MakesThePeerReachableAndPostsMessageAllow()
    {
        var callbacks = new CallbackRecorder();
        await using var app = new VkSandboxApplication(callbacks, [.. CallbackSettings, ("Sandbox:Vk:NotAllowedPeers", "42")]);
        using var http = app.CreateClient();

        using var response = await http.PostAsJsonAsync("/sandbox/vk/users/42/allow", new { key = "promo" });
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var sent = await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "1"), ("message", "hi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", result.RootElement.GetProperty("state").GetString());
        Assert.Equal(200, result.RootElement.GetProperty("callback").GetProperty("status").GetInt32());
        Assert.Equal("ok", result.RootElement.GetProperty("callback").GetProperty("body").GetString());
        Assert.Equal(1, sent.Response.GetInt64());

        var (url, contentType, body) = Assert.Single(callbacks.Received);
        Assert.Equal((new Uri(CallbackUrl), "application/json"), (url, contentType));
        Assert.Equal(229000111, body.GetProperty("group_id").GetInt64());
        Assert.Equal("message_allow", body.GetProperty("type").GetString());
        Assert.Matches("^[0-9a-f]{40}$", body.GetProperty("event_id").GetString());
        Assert.Equal(result.RootElement.GetProperty("callback").GetProperty("eventId").GetString(), body.GetProperty("event_id").GetString());
        Assert.Equal("5.199", body.GetProperty("v").GetString());
        Assert.Equal("""{"user_id":42,"key":"promo"}""", body.GetProperty("object").GetRawText());
        Assert.Equal("s3cret", body.GetProperty("secret").GetString());
    }

    [Fact]
    public async Task Deny_MakesSendsFailWith901AndPostsMessageDeny()
    {
        var callbacks = new CallbackRecorder();
        await using var app = new VkSandboxApplication(callbacks, CallbackSettings);
        using var http = app.CreateClient();

        using var response = await http.PostAsync("/sandbox/vk/users/42/deny", null);
        var sent = await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "1"), ("message", "hi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(901, sent.ErrorCode);
        var body = Assert.Single(callbacks.Received).Body;
        Assert.Equal("message_deny", body.GetProperty("type").GetString());
        Assert.Equal("""{"user_id":42}""", body.GetProperty("object").GetRawText());
    }

    [Fact]
    public async Task Write_PostsMessageNewWithVksMessageAndClientInfoShapes()
    {
        var callbacks = new CallbackRecorder();
        await using var app = new VkSandboxApplication(callbacks, [.. CallbackSettings, ("Sandbox:Vk:NotAllowedPeers", "42")]);
        using var http = app.CreateClient();
        await http.CallAsync("messages.send", ("peer_id", "7"), ("random_id", "1"), ("message", "to someone else"));

        using var response = await http.PostAsJsonAsync("/sandbox/vk/users/42/write", new { text = "Start" });
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var reply = await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "1"), ("message", "welcome"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, result.RootElement.GetProperty("messageId").GetInt64());
        Assert.Equal(3, reply.Response.GetInt64());
        var body = Assert.Single(callbacks.Received).Body;
        Assert.Equal("message_new", body.GetProperty("type").GetString());
        var message = body.GetProperty("object").GetProperty("message");
        Assert.Equal(
            (2L, 42L, 42L, "Start", 1L, 0),
            (message.GetProperty("id").GetInt64(), message.GetProperty("peer_id").GetInt64(), message.GetProperty("from_id").GetInt64(),
                message.GetProperty("text").GetString(), message.GetProperty("conversation_message_id").GetInt64(), message.GetProperty("out").GetInt32()));
        Assert.Equal(JsonValueKind.Number, message.GetProperty("date").ValueKind);
        Assert.Equal(JsonValueKind.Array, message.GetProperty("fwd_messages").ValueKind);
        var clientInfo = body.GetProperty("object").GetProperty("client_info");
        Assert.Contains("text", clientInfo.GetProperty("button_actions").EnumerateArray().Select(a => a.GetString()));
        Assert.True(clientInfo.GetProperty("keyboard").GetBoolean());
    }

    [Fact]
    public async Task UserEvents_WithoutCallbackUrl_OnlyChangeThePeer()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PostAsync("/sandbox/vk/users/42/deny", null);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("""{"userId":42,"state":"not_allowed","messageId":null,"callback":null}""", result.RootElement.GetRawText());
    }

    [Theory]
    [InlineData("/sandbox/vk/peers/1", """{"state":"banned"}""")]
    [InlineData("/sandbox/vk/limits", """{"requestsPerSecond":-1}""")]
    [InlineData("/sandbox/vk/fault", """{"mode":"error500"}""")]
    [InlineData("/sandbox/vk/fault", """{"mode":"error10","forSeconds":0}""")]
    public async Task ControlRoutes_RejectBadValuesWithProblemDetails(string path, string json)
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PutAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Limits_AnswerTheLimitsNowInForce()
    {
        await using var app = new VkSandboxApplication(("Sandbox:Vk:RequestsPerSecond", "20"));
        using var http = app.CreateClient();

        using var unchanged = await http.PutAsJsonAsync("/sandbox/vk/limits", new { });
        using var changed = await http.PutAsJsonAsync("/sandbox/vk/limits", new { requestsPerSecond = 3 });

        Assert.Equal("""{"requestsPerSecond":20}""", await unchanged.Content.ReadAsStringAsync());
        Assert.Equal("""{"requestsPerSecond":3}""", await changed.Content.ReadAsStringAsync());
    }
}
