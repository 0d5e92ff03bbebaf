namespace Ada.Couriers.Vk.Tests;

/// <summary>VkSender against answers the emulator does not give on its own: shapes VK is known or documented to produce.</summary>
[Collection(RedisCollection.Name)]
public sealed class VkSenderEdgeTests(RedisServer redis, ITestOutputHelper output) : DatabaseTest(redis)
{
    [Fact]
    public async Task SendAsync_CallFailedAsAWhole_AppliesItsExecuteErrorToEveryPeerOfThatCall()
    {
        using var stub = new StubVk(request =>
        {
            var calls = VkExecuteCodeTests.ReadCalls(request.Form["code"]);
            Assert.Equal(2, calls.Count);
            return StubVk.Json("""
                {"response":[false,[{"peer_id":201,"message_id":9}]],
                 "execute_errors":[{"method":"messages.send","error_code":901,"error_msg":"Can't send messages for users without permission"},
                                   {"method":"execute","error_code":901,"error_msg":"Can't send messages for users without permission"}]}
                """);
        });
        using var sender = Sender(stub);
        var addressees = Enumerable.Range(101, 101).Select(i => To(i)).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, CancellationToken.None);

        Assert.All(outcomes.Take(100), o => Assert.Equal("not_allowed", Assert.IsType<SendOutcome.Failed>(o).ErrorClass));
        Assert.Equal("9", Assert.IsType<SendOutcome.Sent>(outcomes[100]).ProviderMessageId);
    }

    [Fact]
    public async Task SendAsync_PeerMissingFromTheAnswer_IsRetriedLater()
    {
        using var stub = new StubVk(_ => StubVk.Json("""{"response":[[{"peer_id":1,"message_id":5}]]}"""));
        using var sender = Sender(stub);

        var outcomes = await sender.SendAsync(Message("hi"), [To(1), To(2)], CancellationToken.None);

        Assert.IsType<SendOutcome.Sent>(outcomes[0]);
        Assert.Equal("no_result", Assert.IsType<SendOutcome.Retry>(outcomes[1]).ErrorClass);
    }

    [Fact]
    public async Task SendAsync_TextRefusedAsTooLongUnderTheLimit_IsSentAgainInSmallerParts()
    {
        // VK may count a text longer than we do; when it refuses one we thought fit, the parts get smaller.
        using var stub = new StubVk(request =>
        {
            var calls = VkExecuteCodeTests.ReadCalls(request.Form["code"]);
            var results = calls.Select(c => c.GetProperty("message").GetString()!.Length > 5000
                ? "false"
                : $$"""[{"peer_id":{{c.GetProperty("peer_ids").GetString()}},"message_id":{{c.GetProperty("random_id").GetInt32() % 1000 + 1}}}]""");
            var errors = calls.Count(c => c.GetProperty("message").GetString()!.Length > 5000);
            return StubVk.Json($$"""{"response":[{{string.Join(',', results)}}],"execute_errors":[{{string.Join(',',
                Enumerable.Repeat("""{"method":"messages.send","error_code":914,"error_msg":"Message is too long"}""", errors))}}]}""");
        });
        using var sender = Sender(stub);
        var text = string.Join(' ', Enumerable.Repeat("слово", 1400));

        var outcome = Assert.Single(await sender.SendAsync(Message(text), [To(1)], CancellationToken.None));

        var sent = Assert.IsType<SendOutcome.Sent>(outcome);
        Assert.Equal(3, sent.ProviderMessageId!.Split(',').Length);
        Assert.Equal(4, stub.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_PartStillTooLong_FailsThePerson()
    {
        using var stub = new StubVk(_ => StubVk.Json("""
            {"response":[false],"execute_errors":[{"method":"messages.send","error_code":914,"error_msg":"Message is too long"}]}
            """));
        using var sender = Sender(stub);

        var outcome = Assert.Single(await sender.SendAsync(Message(new string('x', 3000)), [To(1)], CancellationToken.None));

        Assert.Equal("too_long", Assert.IsType<SendOutcome.Failed>(outcome).ErrorClass);
    }

    [Fact]
    public async Task SendAsync_TimeoutThenAnswer_SendsTheSameCallsWithTheSameRandomIds()
    {
        var attempt = 0;
        using var stub = new StubVk(_ => ++attempt == 1
            ? throw new TaskCanceledException("timeout")
            : StubVk.Json("""{"response":[[{"peer_id":1,"message_id":5}]]}"""));
        using var sender = Sender(stub);

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [To(1)], CancellationToken.None));

        Assert.IsType<SendOutcome.Sent>(outcome);
        var codes = stub.Requests.Select(r => r.Form["code"]).ToList();
        Assert.Equal(2, codes.Count);
        Assert.Equal(codes[0], codes[1]);
    }

    [Theory]
    [InlineData(9, 10)]
    [InlineData(29, 60)]
    public async Task SendAsync_FloodControlOrDailyLimit_ReturnsThrottledRetryWithoutHammering(int code, int seconds)
    {
        using var stub = new StubVk(_ => StubVk.Json($$$"""{"error":{"error_code":{{{code}}},"error_msg":"limit"}}"""));
        using var sender = Sender(stub);

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [To(1)], CancellationToken.None));

        var retry = Assert.IsType<SendOutcome.Retry>(outcome);
        Assert.Equal(("throttled", true, TimeSpan.FromSeconds(seconds)), (retry.ErrorClass, retry.Throttled, retry.After));
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task SendAsync_AuthorizationFailed_IsRetriedLaterByTheRuntimeNotHere()
    {
        using var stub = new StubVk(_ => StubVk.Json("""{"error":{"error_code":5,"error_msg":"User authorization failed: invalid access_token (4)."}}"""));
        using var sender = Sender(stub);

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [To(1)], CancellationToken.None));

        var retry = Assert.IsType<SendOutcome.Retry>(outcome);
        Assert.Equal("provider_5", retry.ErrorClass);
        Assert.Contains("invalid access_token", retry.Reason, StringComparison.Ordinal);
        Assert.Single(stub.Requests);
    }

    private VkSender Sender(StubVk stub)
    {
        var options = new VkOptions { Token = "secret-token", BaseUrl = "https://api.vk.test/method/", RequestsPerSecond = 0 };
        return new VkSender(stub.Client(), MsOptions.Create(options), Database.Mux, TestDatabase.Scripts, new TestLogger<VkSender>(output));
    }

    private static OutgoingMessage Message(string text) => new($"t.lee:{Guid.NewGuid():N}", text);

    private static Addressee To(long peer) => new($"u{peer}", peer.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
