using System.Globalization;
using Ada.Sandbox.Vk;

namespace Ada.Sandbox.Tests;

/// <summary>execute with the VKScript a batching courier sends: many messages.send calls in one request.</summary>
public sealed class VkExecuteTests
{
    [Fact]
    public async Task Execute_25CallsOf100Peers_Delivers2500MessagesInOneRequest()
    {
        await using var app = new VkSandboxApplication(("Sandbox:Vk:RequestsPerSecond", "1"));
        using var http = app.CreateClient();
        var calls = Enumerable.Range(0, 25)
            .Select(call => VkWire.SendToPeers(Enumerable.Range(call * 100 + 1, 100).Select(peer => (long)peer), 1000 + call, $"batch {call}"));

        var answer = await http.CallAsync("execute", ("code", $"return [{string.Join(",\n", calls)}];"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False(answer.Body.TryGetProperty("execute_errors", out _));
        var results = answer.Response.EnumerateArray().ToArray();
        Assert.Equal(25, results.Length);
        Assert.All(results, result => Assert.Equal(100, result.GetArrayLength()));
        var lastItem = results[24][99];
        Assert.Equal((2500L, 2500L, 1L), (
            lastItem.GetProperty("peer_id").GetInt64(),
            lastItem.GetProperty("message_id").GetInt64(),
            lastItem.GetProperty("conversation_message_id").GetInt64()));

        var inbox = await app.ReadInboxAsync();
        Assert.Equal(2500, inbox.Total);
        Assert.Equal(2500, inbox.Messages.Select(m => m.ChatId).Distinct().Count());
        Assert.Equal(new VkCountersSnapshot(Requests: 1, ExecuteCalls: 1, Sent: 2500, Deduplicated: 0, Throttled: 0, Errors: 0), await app.ReadStatsAsync());
    }

    [Fact]
    public async Task Execute_OneFailingCall_LeavesFalseInItsPlaceAndReportsExecuteErrors()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        await app.PutAsync("/sandbox/vk/peers/7", new { state = "not_allowed" });

        var answer = await http.CallAsync(
            "execute", ("code", $"return [{VkWire.Send("6", 1, "a")}, {VkWire.Send("7", 1, "b")}, {VkWire.Send("8", 1, "c")}];"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("[1,false,2]", answer.Response.GetRawText());
        Assert.Equal(
            """[{"method":"messages.send","error_code":901,"error_msg":"Can't send messages for users without permission"},"""
            + """{"method":"execute","error_code":901,"error_msg":"Can't send messages for users without permission"}]""",
            answer.Body.GetProperty("execute_errors").GetRawText());
        Assert.False(answer.Body.TryGetProperty("error", out _));
        Assert.Equal(["6", "8"], (await app.ReadInboxAsync()).Messages.Select(m => m.ChatId));
    }

    [Fact]
    public async Task Execute_CallsRunAsTheirOwnRequestsWould_IncludingRandomIdChecksAndDeduplication()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        await http.CallAsync("messages.send", ("peer_id", "5"), ("random_id", "77"), ("message", "sent before"));

        var answer = await http.CallAsync("execute", ("code", """
            return [
                API.messages.send({"peer_id": 5, "random_id": 77, "message": "retry"}),
                API.messages.send({"peer_id": 5, "message": "no random_id"})
            ];
            """));

        Assert.Equal("[1,false]", answer.Response.GetRawText());
        var error = answer.Body.GetProperty("execute_errors")[0];
        Assert.Equal(
            (100, "One of the parameters specified was missing or invalid: random_id is a required parameter"),
            (error.GetProperty("error_code").GetInt32(), error.GetProperty("error_msg").GetString()));
        Assert.Equal(1, (await app.ReadInboxAsync()).Total);
        var stats = await app.ReadStatsAsync();
        Assert.Equal((1L, 1L, 1L), (stats.Deduplicated, stats.ExecuteCalls, stats.Errors));
    }

    [Fact]
    public async Task Execute_SingleReturnedCall_AnswersItsResultNotAnArray()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var answer = await http.CallAsync("execute", ("code", $"return {VkWire.Send("9", 1, "one")};"));

        Assert.Equal("""{"response":1}""", answer.Body.GetRawText());
    }

    [Fact]
    public async Task Execute_MessageText_DecodesJsonEscapes()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        const string text = "Line 1\nLine \"2\"\t\\ ж 😀";

        await http.CallAsync("execute", ("code", $"return [{VkWire.Send("1", 1, text)}];"));
        await http.CallAsync("execute", ("code", """return [API.messages.send({"peer_id":2,"random_id":1,"message":"\u0436\n\ud83d\ude00"})];"""));

        Assert.Equal([text, "ж\n😀"], (await app.ReadInboxAsync()).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task Execute_MoreThan25Calls_IsError13AndSendsNothing()
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();
        var calls = Enumerable.Range(1, 26).Select(peer => VkWire.Send(peer.ToString(CultureInfo.InvariantCulture), 1, "x"));

        var answer = await http.CallAsync("execute", ("code", $"return [{string.Join(',', calls)}];"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal((13, "Runtime error occurred during code invocation: Too many API calls"), (answer.ErrorCode, answer.ErrorMsg));
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Theory]
    [InlineData("var a = API.messages.send({\"peer_id\": 1, \"random_id\": 1, \"message\": \"x\"}); return a;")]
    [InlineData("return [API.messages.send({\"peer_id\": 1, \"random_id\": 1, \"message\": \"x\"})")]
    [InlineData("return API.messages.send({\"peer_id\": 1, \"message\": \"unterminated})];")]
    public async Task Execute_CodeOutsideTheSupportedShape_IsError12(string code)
    {
        await using var app = new VkSandboxApplication();
        using var http = app.CreateClient();

        var answer = await http.CallAsync("execute", ("code", code));

        Assert.Equal(12, answer.ErrorCode);
        Assert.StartsWith("Unable to compile code: ", answer.ErrorMsg, StringComparison.Ordinal);
        Assert.Contains(answer.RequestParams, p => p == ("code", code));
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task Execute_CountsAsOneRequestAgainstTheRateLimit()
    {
        await using var app = new VkSandboxApplication { Time = new StoppedClock() };
        using var http = app.CreateClient();
        await http.CallAsync("messages.send", ("peer_id", "1"), ("random_id", "1"), ("message", "warm-up"));
        await app.PutAsync("/sandbox/vk/limits", new { requestsPerSecond = 1 });
        var calls = Enumerable.Range(0, 25).Select(call => VkWire.SendToPeers([100 + call], 2, "x"));

        var executed = await http.CallAsync("execute", ("code", $"return [{string.Join(',', calls)}];"));
        var throttled = await http.CallAsync("execute", ("code", $"return [{VkWire.Send("1", 3, "y")}];"));

        Assert.Equal(25, executed.Response.GetArrayLength());
        Assert.Equal(6, throttled.ErrorCode);
        Assert.Equal(26, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public void Compiler_AcceptsWhitespaceCommentsBareKeysArraysAndExtraSemicolons()
    {
        const string code = """

              return [ // first
                API . messages.send( { peer_ids: [1, 2], "random_id": -5, message: "a", dont_parse_links: true, "payload": null, } ) ,
                /* second */ API.messages.send({"peer_id": 2000000001, "random_id": 1.5e3, "message": "b"}),
              ] ;;
            """;

        Assert.True(VkScriptCompiler.TryCompile(code, out var script, out var error), error);
        Assert.True(script.ReturnsArray);
        Assert.Equal(["messages.send", "messages.send"], script.Calls.Select(call => call.Method));
        Assert.Equal(
            [KeyValuePair.Create("peer_ids", "1,2"), KeyValuePair.Create("random_id", "-5"), KeyValuePair.Create("message", "a"), KeyValuePair.Create("dont_parse_links", "1")],
            script.Calls[0].Arguments);
        Assert.Equal("1.5e3", script.Calls[1].Arguments["random_id"]);
    }

    [Fact]
    public void Compiler_Error_NamesWhatWasExpectedAndTheLine()
    {
        Assert.False(VkScriptCompiler.TryCompile("return [\n API.messages.send({\"peer_id\": 1}\n];", out _, out var error));

        Assert.Equal("\")\" expected, \"]\" found in line 3", error);
    }
}
