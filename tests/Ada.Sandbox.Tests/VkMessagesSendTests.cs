using System.Net.Http.Headers;
using System.Text;

namespace Ada.Sandbox.Tests;

/// <summary>messages.send and the checks every VK method passes, over raw HTTP as a VK client speaks it.</summary>
public sealed class VkMessagesSendTests
{
    [Fact]
    public async Task Send_ToPeerId_AnswersTheMessageIdAndDelivers()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var first = await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "1"), ("message", "привет"));
        var second = await http.CallAsync("messages.send", ("user_id", "43"), ("random_id", "2"), ("message", "legacy user_id"));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("""{"response":1}""", first.Body.GetRawText());
        Assert.Equal(2, second.Response.GetInt64());
        var inbox = await app.ReadInboxAsync();
        Assert.Equal(
            [("vk", "42", 1L, "привет"), ("vk", "43", 2L, "legacy user_id")],
            inbox.Messages.Select(m => (m.Channel, m.ChatId, m.MessageId, m.Text)));
    }

    [Fact]
    public async Task Send_ToPeerIds_AnswersOneItemPerPeerWithConversationMessageIds()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        await http.CallAsync("messages.send", ("peer_id", "2"), ("random_id", "1"), ("message", "earlier"));

        var answer = await http.CallAsync("messages.send", ("peer_ids", "1,2"), ("random_id", "2"), ("message", "to both"));

        Assert.Equal(
            """[{"peer_id":1,"message_id":2,"conversation_message_id":1},{"peer_id":2,"message_id":3,"conversation_message_id":2}]""",
            answer.Response.GetRawText());
        Assert.Equal(3, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Send_ToPeerIds_NotAllowedPeer_GetsItsOwnError901WithoutMessageId()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        await app.PutAsync("/sandbox/vk/peers/2", new { state = "not_allowed" });

        var answer = await http.CallAsync("messages.send", ("peer_ids", "1,2,3"), ("random_id", "7"), ("message", "hi"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False(answer.Body.TryGetProperty("error", out _));
        var items = answer.Response.EnumerateArray().ToArray();
        Assert.Equal(3, items.Length);
        Assert.Equal(
            """{"peer_id":2,"error":{"code":901,"description":"Can't send messages for users without permission"}}""",
            items[1].GetRawText());
        Assert.Equal(2, items[2].GetProperty("message_id").GetInt64());
        Assert.Equal(["1", "3"], (await app.ReadInboxAsync()).Messages.Select(m => m.ChatId));
        Assert.Equal(1, (await app.ReadStatsAsync()).Errors);
    }

    [Theory]
    [InlineData("not_allowed", 901, "Can't send messages for users without permission")]
    [InlineData("blacklisted", 900, "Can't send messages for users from blacklist")]
    [InlineData("privacy", 902, "Can't send messages to this user due to their privacy settings")]
    [InlineData("deleted", 18, "User was deleted or banned")]
    [InlineData("deactivated", 3610, "User is deactivated")]
    public async Task Send_ToPeerId_RefusingPeer_IsATopLevelError(string state, int code, string message)
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        await app.PutAsync("/sandbox/vk/peers/5", new { state });

        var answer = await http.CallAsync("messages.send", ("peer_id", "5"), ("random_id", "1"), ("message", "hi"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal((code, message), (answer.ErrorCode, answer.ErrorMsg));
        Assert.False(answer.Body.TryGetProperty("response", out _));
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Send_NotAllowedPeersFromConfig_AreRefusedUntilAllowed()
    {
        await using var app = new VkSandboxApplication(("Sandbox:Vk:NotAllowedPeers", "5, 6"));
        using var http = app.CreateClient();

        var refused = await http.CallAsync("messages.send", ("peer_id", "6"), ("random_id", "1"), ("message", "hi"));
        await app.PutAsync("/sandbox/vk/peers/6", new { state = "ok" });
        var accepted = await http.CallAsync("messages.send", ("peer_id", "6"), ("random_id", "1"), ("message", "hi"));

        Assert.Equal(901, refused.ErrorCode);
        Assert.Equal(1, accepted.Response.GetInt64());
    }

    [Fact]
    public async Task Send_SameRandomIdAgain_AnswersTheSameMessageIdAndDeliversNothingNew()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var first = await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "123456789012"), ("message", "once"));
        var retry = await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "123456789012"), ("message", "once"));
        var otherPeer = await http.CallAsync("messages.send", ("peer_id", "43"), ("random_id", "123456789012"), ("message", "once"));
        var batchRetry = await http.CallAsync("messages.send", ("peer_ids", "42,43"), ("random_id", "123456789012"), ("message", "once"));

        Assert.Equal(1, first.Response.GetInt64());
        Assert.Equal(1, retry.Response.GetInt64());
        Assert.Equal(2, otherPeer.Response.GetInt64());
        Assert.Equal([1L, 2L], batchRetry.Response.EnumerateArray().Select(item => item.GetProperty("message_id").GetInt64()));
        Assert.Equal(2, (await app.ReadInboxAsync()).Total);
        var stats = await app.ReadStatsAsync();
        Assert.Equal((2L, 3L), (stats.Sent, stats.Deduplicated));
    }

    [Fact]
    public async Task Send_RandomIdZero_IsNeverDeduplicated()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "0"), ("message", "a"));
        var second = await http.CallAsync("messages.send", ("peer_id", "42"), ("random_id", "0"), ("message", "a"));

        Assert.Equal(2, second.Response.GetInt64());
        Assert.Equal(2, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Send_WithoutRandomId_IsError100SinceVersion590()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var current = await http.CallAsync("messages.send", ("peer_id", "42"), ("message", "a"));
        using var oldForm = new FormUrlEncodedContent(
            [new("access_token", VkWire.Token), new("v", "5.85"), new("peer_id", "42"), new("message", "a")]);
        var old = await VkWire.ReadAsync(await http.PostAsync("/method/messages.send", oldForm));

        Assert.Equal(100, current.ErrorCode);
        Assert.Equal("One of the parameters specified was missing or invalid: random_id is a required parameter", current.ErrorMsg);
        Assert.Equal(1, old.Response.GetInt64());
    }

    [Fact]
    public async Task Send_MessageLength_9000IsAcceptedAndLongerIsError914()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var longest = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "1"), ("message", new string('я', 9000)));
        var tooLong = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "2"), ("message", new string('я', 9001)));

        Assert.Equal(1, longest.Response.GetInt64());
        Assert.Equal((914, "Message is too long"), (tooLong.ErrorCode, tooLong.ErrorMsg));
        Assert.Equal(1, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Send_BadArguments_AreError100()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var noText = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "1"));
        var noPeer = await http.CallAsync("messages.send", ("random_id", "1"), ("message", "a"));
        var tooManyPeers = await http.CallAsync(
            "messages.send", ("peer_ids", string.Join(',', Enumerable.Range(1, 101))), ("random_id", "1"), ("message", "a"));

        Assert.Equal("One of the parameters specified was missing or invalid: message is empty or invalid", noText.ErrorMsg);
        Assert.Equal(
            "One of the parameters specified was missing or invalid: you should specify peer_id, user_id, domain, chat_id or user_ids param",
            noPeer.ErrorMsg);
        Assert.Equal((100, "One of the parameters specified was missing or invalid: peer_ids is too long"), (tooManyPeers.ErrorCode, tooManyPeers.ErrorMsg));
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Error_EchoesRequestParamsWithoutTheToken()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var answer = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "9"), ("message", new string('a', 9001)));

        Assert.Equal(
            [("method", "messages.send"), ("oauth", "1"), ("v", "5.199"), ("peer_id", "1"), ("random_id", "9"), ("message", new string('a', 9001))],
            answer.RequestParams);
        Assert.Equal(["error_code", "error_msg", "request_params"], answer.Error.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task OverTheRateLimit_IsError6WithHttp200AndNothingSent()
    {
        await using var app = new VkSandboxApplication { Time = new StoppedClock() };
        using var http = app.CreateClient();
        await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "1"), ("message", "warm-up"));
        await app.PutAsync("/sandbox/vk/limits", new { requestsPerSecond = 1 });

        var admitted = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "2"), ("message", "a"));
        var throttled = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "3"), ("message", "b"));

        Assert.Equal(2, admitted.Response.GetInt64());
        Assert.Equal(HttpStatusCode.OK, throttled.Status);
        Assert.Equal((6, "Too many requests per second"), (throttled.ErrorCode, throttled.ErrorMsg));
        Assert.Equal(
            [("method", "messages.send"), ("oauth", "1"), ("v", "5.199"), ("peer_id", "1"), ("random_id", "3"), ("message", "b")],
            throttled.RequestParams);
        Assert.Equal(["warm-up", "a"], (await app.ReadInboxAsync()).Messages.Select(m => m.Text));
        var stats = await app.ReadStatsAsync();
        Assert.Equal((3L, 1L, 0L), (stats.Requests, stats.Throttled, stats.Errors));
    }

    [Fact]
    public async Task JsonBody_CarriesNoParameters_SoItIsError5()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        using var json = new StringContent(
            $$"""{"access_token":"{{VkWire.Token}}","v":"5.199","peer_id":1,"random_id":1,"message":"a"}""", Encoding.UTF8, "application/json");
        var answer = await VkWire.ReadAsync(await http.PostAsync("/method/messages.send", json));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal((5, "User authorization failed: no access_token passed."), (answer.ErrorCode, answer.ErrorMsg));
        Assert.Equal([("method", "messages.send"), ("oauth", "1")], answer.RequestParams);
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task WrongToken_IsError5()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        using var form = new FormUrlEncodedContent(
            [new("access_token", "stolen"), new("v", "5.199"), new("peer_id", "1"), new("random_id", "1"), new("message", "a")]);
        var answer = await VkWire.ReadAsync(await http.PostAsync("/method/messages.send", form));

        Assert.Equal((5, "User authorization failed: invalid access_token (4)."), (answer.ErrorCode, answer.ErrorMsg));
        Assert.DoesNotContain(answer.RequestParams, p => p.Key == "access_token");
    }

    [Fact]
    public async Task MissingVersion_IsError8()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        using var form = new FormUrlEncodedContent(
            [new("access_token", VkWire.Token), new("peer_id", "1"), new("random_id", "1"), new("message", "a")]);
        var answer = await VkWire.ReadAsync(await http.PostAsync("/method/messages.send", form));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal((8, "Invalid request: v (version) is required"), (answer.ErrorCode, answer.ErrorMsg));
    }

    [Theory]
    [InlineData("messages.sendMessage")]
    [InlineData("Messages.Send")]
    public async Task UnknownOrMiscasedMethod_IsError3(string method)
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var answer = await http.CallAsync(method, ("peer_id", "1"), ("random_id", "1"), ("message", "a"));

        Assert.Equal((3, "Unknown method passed"), (answer.ErrorCode, answer.ErrorMsg));
        Assert.Equal(("method", method), answer.RequestParams[0]);
    }

    [Fact]
    public async Task QueryStringGetAndBearerHeader_AreAccepted()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var viaQuery = await VkWire.ReadAsync(await http.GetAsync(
            $"/method/messages.send?access_token={VkWire.Token}&v=5.199&peer_id=1&random_id=1&message=query"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/method/messages.send")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent("5.199"), "v" },
                { new StringContent("2"), "peer_id" },
                { new StringContent("2"), "random_id" },
                { new StringContent("multipart"), "message" },
            },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", VkWire.Token);
        var viaHeader = await VkWire.ReadAsync(await http.SendAsync(request));

        Assert.Equal(1, viaQuery.Response.GetInt64());
        Assert.Equal(2, viaHeader.Response.GetInt64());
    }

    [Fact]
    public async Task FaultError10_IsAVkErrorWithHttp200_AndHttp500IsAnHtmlPage()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        await app.PutAsync("/sandbox/vk/fault", new { mode = "error10" });
        var error10 = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "1"), ("message", "a"));
        await app.PutAsync("/sandbox/vk/fault", new { mode = "http500" });
        using var http500 = await http.PostAsync("/method/messages.send", new FormUrlEncodedContent([new("v", "5.199")]));
        await app.PutAsync("/sandbox/vk/fault", new { mode = "none" });
        var healed = await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "1"), ("message", "a"));

        Assert.Equal(HttpStatusCode.OK, error10.Status);
        Assert.Equal((10, "Internal server error"), (error10.ErrorCode, error10.ErrorMsg));
        Assert.Equal(HttpStatusCode.InternalServerError, http500.StatusCode);
        Assert.Equal("text/html", http500.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1, healed.Response.GetInt64());
    }

    [Fact]
    public async Task Stats_ReportVkCountersUnderVk()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "1"), ("message", "a"));

        using var stats = JsonDocument.Parse(await http.GetStringAsync("/sandbox/stats"));

        Assert.Equal(
            """{"requests":1,"executeCalls":0,"sent":1,"deduplicated":0,"throttled":0,"errors":0}""",
            stats.RootElement.GetProperty("vk").GetRawText());
    }
}
