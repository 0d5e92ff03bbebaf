using System.Diagnostics;
using Ada.Core.Couriers;
using Ada.Core.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ada.Couriers.Telegram.Tests;

/// <summary>xunit looks for collection definitions only in the test assembly, not in Ada.Testing.</summary>
[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;

/// <summary>TelegramSender with the real Telegram.Bot client against the Bot API emulator.</summary>
[Collection(RedisCollection.Name)]
public sealed class TelegramSenderTests(RedisServer redis) : DatabaseTest(redis)
{
    private readonly TelegramSandbox _sandbox = new();

    public override async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task SendAsync_OpenChats_ReturnsSentWithTelegramMessageIds()
    {
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("Лекция 10:00 отменена"), [To("u1", 42), To("u2", 43)], CancellationToken.None);

        Assert.Equal([new SendOutcome.Sent(To("u1", 42), "1"), new SendOutcome.Sent(To("u2", 43), "1")], outcomes);
        var inbox = await _sandbox.ReadInboxAsync();
        Assert.Equal(["42", "43"], inbox.Messages.Select(m => m.ChatId).Order());
        Assert.All(inbox.Messages, m => Assert.Equal("Лекция 10:00 отменена", m.Text));
    }

    [Fact]
    public async Task SendAsync_OutcomesFollowAddresseeOrder()
    {
        using var sender = Sender();
        var addressees = Enumerable.Range(1, 40).Select(i => To($"u{i}", 1000 + i)).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, CancellationToken.None);

        Assert.Equal(addressees, outcomes.Select(o => o.To));
        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Sent>(o));
    }

    [Theory]
    [InlineData("blocked")]
    [InlineData("deactivated")]
    public async Task SendAsync_ChatThatBlockedTheBot_FailsAndAsksToDeactivate(string state)
    {
        await _sandbox.PutAsync("/sandbox/telegram/chats/42", new { state });
        using var sender = Sender();

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [To("u1", 42)], CancellationToken.None));

        var failed = Assert.IsType<SendOutcome.Failed>(outcome);
        Assert.Equal(("blocked", true), (failed.ErrorClass, failed.Deactivate));
        Assert.Contains("Forbidden", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ChatNotFound_FailsWithoutDeactivating()
    {
        await _sandbox.PutAsync("/sandbox/telegram/chats/42", new { state = "not_found" });
        using var sender = Sender();

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [To("u1", 42)], CancellationToken.None));

        var failed = Assert.IsType<SendOutcome.Failed>(outcome);
        Assert.Equal(("chat_not_found", false), (failed.ErrorClass, failed.Deactivate));
    }

    [Fact]
    public async Task SendAsync_AddressNotAChatId_FailsAsBadAddressWithoutARequest()
    {
        using var sender = Sender();

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [new Addressee("u1", "@someone")], CancellationToken.None));

        Assert.Equal("bad_address", Assert.IsType<SendOutcome.Failed>(outcome).ErrorClass);
        Assert.Equal(0, (await _sandbox.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendAsync_OverProviderLimit_RetriesThrottledChatsAfterRetryAfter()
    {
        await _sandbox.PutAsync("/sandbox/telegram/limits", new { messagesPerSecond = 5 });
        using var sender = Sender();
        var addressees = Enumerable.Range(1, 20).Select(i => To($"u{i}", 1000 + i)).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, CancellationToken.None);

        var sent = outcomes.OfType<SendOutcome.Sent>().ToList();
        var retries = outcomes.OfType<SendOutcome.Retry>().ToList();
        Assert.Equal(20, sent.Count + retries.Count);
        Assert.InRange(sent.Count, 5, 10);
        Assert.All(retries, r =>
        {
            Assert.True(r.Throttled);
            Assert.Equal("throttled", r.ErrorClass);
            Assert.True(r.After >= TimeSpan.FromSeconds(1), $"retry after {r.After}");
        });
        Assert.Equal(sent.Count, (await _sandbox.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendAsync_PacedBelowProviderLimit_IsNeverThrottled()
    {
        await _sandbox.PutAsync("/sandbox/telegram/limits", new { messagesPerSecond = 25 });
        using var sender = Sender(messagesPerSecond: 20);
        var addressees = Enumerable.Range(1, 40).Select(i => To($"u{i}", 1000 + i)).ToList();
        var clock = Stopwatch.StartNew();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, CancellationToken.None);

        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Sent>(o));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"40 sends at 20/s took only {clock.Elapsed}");
    }

    [Theory]
    [InlineData("error500")]
    [InlineData("error502")]
    public async Task SendAsync_ProviderServerError_RetriesWithTheRuntimesBackoff(string mode)
    {
        await _sandbox.PutAsync("/sandbox/telegram/fault", new { mode, forSeconds = 60 });
        using var sender = Sender();

        var outcomes = await sender.SendAsync(Message("hi"), [To("u1", 42), To("u2", 43)], CancellationToken.None);

        Assert.All(outcomes, o =>
        {
            var retry = Assert.IsType<SendOutcome.Retry>(o);
            Assert.False(retry.Throttled);
            Assert.Null(retry.After);
        });
        Assert.Equal(0, (await _sandbox.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendAsync_ProviderHangs_RetriesAfterTheRequestTimeout()
    {
        await _sandbox.PutAsync("/sandbox/telegram/fault", new { mode = "timeout", forSeconds = 60 });
        using var sender = Sender(timeout: TimeSpan.FromMilliseconds(500));

        var outcome = Assert.Single(await sender.SendAsync(Message("hi"), [To("u1", 42)], CancellationToken.None));

        Assert.False(Assert.IsType<SendOutcome.Retry>(outcome).Throttled);
    }

    [Fact]
    public async Task SendAsync_TextOverTheLimit_SendsPartsAndJoinsTheirIds()
    {
        var text = string.Join(' ', Enumerable.Repeat("Расписание", 455));
        Assert.InRange(text.Length, 4_097, 8_192);
        using var sender = Sender();

        var outcome = Assert.Single(await sender.SendAsync(Message(text), [To("u1", 42)], CancellationToken.None));

        Assert.Equal("1,2", Assert.IsType<SendOutcome.Sent>(outcome).ProviderMessageId);
        var inbox = await _sandbox.ReadInboxAsync("42");
        Assert.Equal([1L, 2L], inbox.Messages.Select(m => m.MessageId));
        Assert.Equal(text, string.Join(' ', inbox.Messages.Select(m => m.Text)));
    }

    [Fact]
    public async Task SendAsync_StopAlreadySignalled_RetriesEveryoneAndSendsNothing()
    {
        using var sender = Sender();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        var addressees = Enumerable.Range(1, 10).Select(i => To($"u{i}", 1000 + i)).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, stop.Token);

        Assert.Equal(addressees, outcomes.Select(o => o.To));
        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Retry>(o));
        Assert.Equal(0, (await _sandbox.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task SendAsync_StopSignalledMidway_ReportsWhatWasSentAndRetriesTheRest()
    {
        using var sender = Sender(messagesPerSecond: 20);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var addressees = Enumerable.Range(1, 100).Select(i => To($"u{i}", 1000 + i)).ToList();

        var outcomes = await sender.SendAsync(Message("hi"), addressees, stop.Token);

        var sent = outcomes.OfType<SendOutcome.Sent>().Count();
        Assert.InRange(sent, 1, 99);
        Assert.Equal(100 - sent, outcomes.OfType<SendOutcome.Retry>().Count());
        Assert.Equal(sent, (await _sandbox.ReadInboxAsync()).Total);
    }

    private TelegramSender Sender(double messagesPerSecond = 0, TimeSpan? timeout = null) =>
        new(_sandbox.CreateBot(timeout),
            Options.Create(new TelegramOptions { Token = TelegramSandbox.Token, MessagesPerSecond = messagesPerSecond, Concurrency = 8 }),
            Database.Mux, new AdaScripts(), NullLogger<TelegramSender>.Instance);

    private static OutgoingMessage Message(string text) => new("t1:1", text);

    private static Addressee To(string user, long chatId) => new(user, chatId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
