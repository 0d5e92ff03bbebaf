using System.Net;

namespace Ada.Couriers.Vk.Tests;

public sealed class VkApiClientTests
{
    private static readonly VkSendCall[] TwoCalls = [new([1, 2], "hi", 11), new([3], "hi", 12)];

    [Fact]
    public async Task SendAsync_PostsAFormWithTokenVersionAndCode()
    {
        using var stub = new StubVk(_ => StubVk.Json("""{"response":[[{"peer_id":1,"message_id":5}]]}"""));

        await stub.Client("https://api.vk.test/method").SendAsync([new VkSendCall([1], "Лекция & \"305\"", 11)], CancellationToken.None);

        var request = Assert.Single(stub.Requests);
        Assert.Equal("https://api.vk.test/method/execute", request.Uri.ToString());
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("secret-token", request.Form["access_token"]);
        Assert.Equal("5.199", request.Form["v"]);
        Assert.Equal("""return [API.messages.send({"peer_ids":"1","message":"Лекция & \"305\"","random_id":11})];""", request.Form["code"]);
        Assert.DoesNotContain("secret-token", request.Uri.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ErrorEnvelopeWithHttp200_ThrowsTheVkError()
    {
        using var stub = new StubVk(_ => StubVk.Json("""
            {"error":{"error_code":6,"error_msg":"Too many requests per second","request_params":[{"key":"method","value":"execute"}]}}
            """));

        var e = await Assert.ThrowsAsync<VkApiException>(() => stub.Client().SendAsync(TwoCalls, CancellationToken.None));

        Assert.Equal(new VkError(6, "Too many requests per second"), e.Error);
    }

    [Fact]
    public async Task SendAsync_PeerIdsItems_GiveEachPeerItsMessageIdOrError()
    {
        using var stub = new StubVk(_ => StubVk.Json("""
            {"response":[
              [{"peer_id":1,"message_id":101,"conversation_message_id":7},
               {"peer_id":2,"error":{"code":901,"description":"Can't send messages for users without permission"}}],
              [{"peer_id":3,"message_id":0,"error":{"code":18,"description":"User was deleted or banned"}}]]}
            """));

        var results = await stub.Client().SendAsync(TwoCalls, CancellationToken.None);

        Assert.Equal(2, results.Count);
        Assert.Null(results[0].Error);
        Assert.Equal(
            [new VkPeerResult(1, 101, null), new VkPeerResult(2, null, new VkError(901, "Can't send messages for users without permission"))],
            results[0].Peers);
        Assert.Equal([new VkPeerResult(3, null, new VkError(18, "User was deleted or banned"))], results[1].Peers);
    }

    [Fact]
    public async Task SendAsync_FalseItems_TakeTheErrorsOfExecuteErrorsInOrder()
    {
        using var stub = new StubVk(_ => StubVk.Json("""
            {"response":[false,[{"peer_id":2,"message_id":9}],false],
             "execute_errors":[
               {"method":"messages.send","error_code":914,"error_msg":"Message is too long"},
               {"method":"messages.send","error_code":10,"error_msg":"Internal server error"},
               {"method":"execute","error_code":10,"error_msg":"Internal server error"}]}
            """));
        VkSendCall[] calls = [new([1], "x", 1), new([2], "x", 2), new([3], "x", 3)];

        var results = await stub.Client().SendAsync(calls, CancellationToken.None);

        Assert.Equal(new VkError(914, "Message is too long", "messages.send"), results[0].Error);
        Assert.Equal([new VkPeerResult(2, 9, null)], results[1].Peers);
        Assert.Equal(new VkError(10, "Internal server error", "messages.send"), results[2].Error);
    }

    [Fact]
    public async Task SendAsync_FewerResultsThanCalls_TheRestFailWithoutAVkCode()
    {
        using var stub = new StubVk(_ => StubVk.Json("""{"response":[[{"peer_id":1,"message_id":5}]]}"""));

        var results = await stub.Client().SendAsync(TwoCalls, CancellationToken.None);

        Assert.Equal(0, results[1].Error!.Code);
    }

    [Fact]
    public async Task SendAsync_SinglePeerAnswerIsAMessageId_AppliesToThePeer()
    {
        using var stub = new StubVk(_ => StubVk.Json("""{"response":[77]}"""));

        var results = await stub.Client().SendAsync([new VkSendCall([5], "x", 1)], CancellationToken.None);

        Assert.Equal([new VkPeerResult(5, 77, null)], results[0].Peers);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway</body></html>")]
    [InlineData(HttpStatusCode.OK, "<html>not VK</html>")]
    [InlineData(HttpStatusCode.OK, """{"something":"else"}""")]
    [InlineData(HttpStatusCode.InternalServerError, """{"response":[]}""")]
    public async Task SendAsync_NotAVkAnswer_ThrowsHttpRequestException(HttpStatusCode status, string body)
    {
        using var stub = new StubVk(_ => StubVk.Json(body, status));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => stub.Client().SendAsync(TwoCalls, CancellationToken.None));

        Assert.DoesNotContain("secret-token", e.Message, StringComparison.Ordinal);
    }
}
