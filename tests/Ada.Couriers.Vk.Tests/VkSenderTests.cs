using StackExchange.Redis;

namespace Ada.Couriers.Vk.Tests;

/// <summary>VkSender with its own client against the VK API emulator; the pacing bucket in a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class VkSenderTests(RedisServer redis, ITestOutputHelper output) : DatabaseTest(redis)
{
    private readonly VkSandbox _sandbox = new();

    public override async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task SendAsync_OpenPeers_ReturnsSentWithVkMessageIds()
    {
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("Лекция 10:00 отменена"), [To("u1", 42), To("u2", 43)], CancellationToken.None);

        var ids = outcomes.Select(o => Assert.IsType<SendOutcome.Sent>(o).ProviderMessageId).ToList();
        Assert.Equal(["u1", "u2"], outcomes.Select(o => o.To.UserId));
        var inbox = await _sandbox.ReadInboxAsync();
        Assert.Equal(["42", "43"], inbox.Messages.Select(m => m.ChatId).Order());
        Assert.All(inbox.Messages, m => Assert.Equal("Лекция 10:00 отменена", m.Text));
        Assert.Equal(inbox.Messages.Select(m => m.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), ids.Order());
    }

    [Fact]
    public async Task SendAsync_FullBatch_IsOneHttpRequestInAddresseeOrder()
    {
        using var sender = Sender();
        var addressees = Enumerable.Range(1, sender.BatchSize).Select(i => To($"u{i}", 1000 + i)).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, CancellationToken.None);

        Assert.Equal(2500, sender.BatchSize);
        Assert.Equal(addressees, outcomes.Select(o => o.To));
        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Sent>(o));
        var stats = await _sandbox.StatsAsync();
        Assert.Equal((1, 1, 2500), (stats.Requests, stats.ExecuteCalls, stats.Sent));
    }

    [Fact]
    public async Task SendAsync_PeerWhoHasNotAllowedMessages_FailsWithTheReasonAndDeactivates()
    {
        await _sandbox.SetPeerAsync(43, "not_allowed");
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("hi"), [To("u1", 42), To("u2", 43)], CancellationToken.None);

        Assert.IsType<SendOutcome.Sent>(outcomes[0]);
        var failed = Assert.IsType<SendOutcome.Failed>(outcomes[1]);
        Assert.Equal(("not_allowed", true), (failed.ErrorClass, failed.Deactivate));
        Assert.Contains("has not allowed messages from the community", failed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("blacklisted", "blacklisted", false)]
    [InlineData("privacy", "privacy", false)]
    [InlineData("deleted", "deleted", true)]
    [InlineData("deactivated", "deactivated", true)]
    public async Task SendAsync_PeerRefusedByVk_FailsPermanently(string state, string errorClass, bool deactivate)
    {
        await _sandbox.SetPeerAsync(42, state);
        using var sender = Sender();

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [To("u1", 42)], CancellationToken.None));

        var failed = Assert.IsType<SendOutcome.Failed>(outcome);
        Assert.Equal((errorClass, deactivate), (failed.ErrorClass, failed.Deactivate));
        Assert.Empty((await _sandbox.ReadInboxAsync()).Messages);
    }

    [Fact]
    public async Task SendAsync_SameBatchAgain_IsDeduplicatedByVk()
    {
        using var sender = Sender();
        var addressees = Enumerable.Range(1, 250).Select(i => To($"u{i}", 1000 + i)).ToList();
        var message = Message("hi");
        var first = await sender.SendAsync(message, addressees, CancellationToken.None);

        var again = await sender.SendAsync(message, addressees, CancellationToken.None);

        Assert.Equal(first, again);
        var summary = await _sandbox.SummaryAsync();
        Assert.Equal((250, 250, 0), (summary.Total, summary.Chats, summary.ChatsWithMoreThanOne));
        Assert.Equal(250, (await _sandbox.StatsAsync()).Deduplicated);
    }

    [Fact]
    public async Task SendAsync_TextOverNineThousand_ArrivesInPartsInOrder()
    {
        using var sender = Sender();
        var text = string.Join('\n', Enumerable.Range(1, 400).Select(i => $"{i:D4} " + new string('щ', 45)));

        var outcomes = await sender.SendAsync(Message(text), [To("u1", 42), To("u2", 43)], CancellationToken.None);

        var inbox = await _sandbox.ReadInboxAsync("42");
        Assert.Equal(3, inbox.Total);
        Assert.Equal(text, string.Join('\n', inbox.Messages.OrderBy(m => m.MessageId).Select(m => m.Text)));
        var sent = Assert.IsType<SendOutcome.Sent>(outcomes[0]);
        Assert.Equal(inbox.Messages.Select(m => m.MessageId).Order(), sent.ProviderMessageId!.Split(',').Select(long.Parse));
        Assert.Equal(6, (await _sandbox.StatsAsync()).Sent);
    }

    [Fact]
    public async Task SendAsync_Error10ForAWhile_SendsTheSameRequestAgainAndDelivers()
    {
        await _sandbox.PutAsync("/sandbox/vk/fault", new { mode = "error10", forSeconds = 1 });
        using var sender = Sender(o => o.RequestAttempts = 6);

        var outcomes = await sender.SendAsync(Message("hi"), [To("u1", 42), To("u2", 43)], CancellationToken.None);

        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Sent>(o));
        var stats = await _sandbox.StatsAsync();
        Assert.True(stats.Requests > 1, $"expected retries, saw {stats.Requests} request(s)");
        Assert.Equal(2, (await _sandbox.SummaryAsync()).Total);
    }

    [Theory]
    [InlineData("http500", "network")]
    [InlineData("error10", "provider_10")]
    [InlineData("timeout", "network")]
    public async Task SendAsync_FaultOutlastingTheAttempts_ReturnsRetryForEveryone(string mode, string errorClass)
    {
        await _sandbox.PutAsync("/sandbox/vk/fault", new { mode });
        using var sender = Sender(o => (o.RequestAttempts, o.RequestTimeoutSeconds) = (2, 1));

        var outcomes = await sender.SendAsync(Message("hi"), [To("u1", 42), To("u2", 43), To("u3", 43)], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal((errorClass, false), (Assert.IsType<SendOutcome.Retry>(o).ErrorClass, ((SendOutcome.Retry)o).Throttled)));
        Assert.Equal(2, (await _sandbox.StatsAsync()).Requests);
    }

    [Fact]
    public async Task SendAsync_TooManyRequests_PausesEveryInstanceThenDelivers()
    {
        await _sandbox.PutAsync("/sandbox/vk/limits", new { requestsPerSecond = 1 });
        using var first = Sender(o => o.RequestAttempts = 5);
        using var second = Sender(o => o.RequestAttempts = 5);
        var text = Message("hi");

        var outcomes = await Task.WhenAll(
            first.SendAsync(text, [To("u1", 42)], CancellationToken.None),
            second.SendAsync(text, [To("u2", 43)], CancellationToken.None),
            first.SendAsync(text, [To("u3", 44)], CancellationToken.None));

        Assert.All(outcomes.SelectMany(o => o), o => Assert.IsType<SendOutcome.Sent>(o));
        var stats = await _sandbox.StatsAsync();
        output.WriteLine($"{stats}");
        Assert.True(stats.Throttled > 0, "the sandbox at 1 request/s should have answered error 6");
        Assert.Equal(3, (await _sandbox.SummaryAsync()).Total);
    }

    [Fact]
    public async Task SendAsync_BadAndSharedAddresses_FailOrShareOneSend()
    {
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("hi"), [To("u1", "id42"), To("u2", "42"), To("u3", "42"), To("u4", "")], CancellationToken.None);

        Assert.Equal("bad_address", Assert.IsType<SendOutcome.Failed>(outcomes[0]).ErrorClass);
        Assert.Equal(((SendOutcome.Sent)outcomes[1]).ProviderMessageId, Assert.IsType<SendOutcome.Sent>(outcomes[2]).ProviderMessageId);
        Assert.Equal("bad_address", Assert.IsType<SendOutcome.Failed>(outcomes[3]).ErrorClass);
        Assert.Equal(1, (await _sandbox.SummaryAsync()).Total);
    }

    [Fact]
    public async Task SendAsync_Stopped_SendsNothingAndReturnsRetryForEveryone()
    {
        using var sender = Sender();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var outcomes = await sender.SendAsync(Message("hi"), [To("u1", 42), To("u2", 43)], stop.Token);

        Assert.All(outcomes, o => Assert.Equal("stopped", Assert.IsType<SendOutcome.Retry>(o).ErrorClass));
        Assert.Equal(0, (await _sandbox.StatsAsync()).Requests);
    }

    [Fact]
    public async Task SendAsync_PacedAtTwoRequestsPerSecond_TakesAboutASecondForThreeRequests()
    {
        using var sender = Sender(o => o.RequestsPerSecond = 2);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < 3; i++)
        {
            await sender.SendAsync(Message("hi"), [To("u1", 42 + i)], CancellationToken.None);
        }

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"3 requests at 2/s took only {clock.Elapsed}");
        Assert.True(await Database.Db.KeyExistsAsync(Keys.Rate("vk")));
    }

    private VkSender Sender(Action<VkOptions>? configure = null)
    {
        var options = _sandbox.Options(configure);
        return new VkSender(_sandbox.Client(options), MsOptions.Create(options), Database.Mux, TestDatabase.Scripts,
            new TestLogger<VkSender>(output));
    }

    private static OutgoingMessage Message(string text) => new($"t.lee:{Guid.NewGuid():N}", text);

    private static Addressee To(string userId, long peerId) => new(userId, peerId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static Addressee To(string userId, string address) => new(userId, address);
}
