namespace Ada.Core.Couriers;

/// <summary>The text of one message as a courier sends it. <paramref name="Urgent"/>: sent ahead of other messages under pacing.</summary>
public sealed record OutgoingMessage(string Id, string Text, bool Urgent = false);

/// <summary>One person to send to in this channel: the address (chat id, VK id, phone) and attempts so far.</summary>
public sealed record Addressee(string UserId, string Address, int Attempts = 0);

/// <summary>What happened to one addressee. The runtime turns it into a receipt, or tries again later.</summary>
public abstract record SendOutcome(Addressee To)
{
    public sealed record Sent(Addressee To, string? ProviderMessageId) : SendOutcome(To);

    /// <summary>Permanent for this person. <paramref name="Deactivate"/>: the provider says the contact is dead.</summary>
    public sealed record Failed(Addressee To, string ErrorClass, string Reason, bool Deactivate = false) : SendOutcome(To);

    /// <summary>
    /// Transient: try this person again. <paramref name="After"/>: when the provider said when (a 429's
    /// <c>retry_after</c>, a <c>Retry-After</c> header); null: the runtime's backoff decides (<see cref="RetryBackoff"/>).
    /// <paramref name="Throttled"/>: the provider said "too many requests".
    /// </summary>
    public sealed record Retry(Addressee To, string ErrorClass, string Reason, TimeSpan? After = null, bool Throttled = false) : SendOutcome(To);
}

/// <summary>
/// A channel's provider client. The courier runtime does everything else (events, claims, batches,
/// receipts, retries); an implementation only sends one batch and says what happened to each person.
/// </summary>
public interface IChannelSender
{
    string Channel { get; }

    /// <summary>How many addressees to hand over at once: small for slow channels, so progress and cancellation stay prompt.</summary>
    int BatchSize { get; }

    /// <summary>
    /// Sends to every addressee and returns exactly one outcome for each. When <paramref name="stop"/> is
    /// signalled (the message was cancelled, or the courier is shutting down) it starts no new send,
    /// lets the ones in flight finish, and returns a <see cref="SendOutcome.Retry"/> for each person it did
    /// not try: what was sent must still be reported, so this method does not throw on <paramref name="stop"/>.
    /// </summary>
    Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees, CancellationToken stop);

    /// <summary>
    /// As <see cref="SendAsync(OutgoingMessage, IReadOnlyList{Addressee}, CancellationToken)"/>, and tells
    /// <paramref name="done"/> each outcome as soon as it is known, so the runtime records a send within milliseconds
    /// instead of at the end of the batch: a courier killed mid-batch then repeats only the requests in flight. The
    /// returned list still holds every outcome. A sender that sends one request per batch need not override this.
    /// </summary>
    Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        Action<SendOutcome> done, CancellationToken stop) => SendAsync(message, addressees, stop);

    /// <summary>
    /// Called once at start, before the courier takes messages: open the provider's connection and run its client once
    /// (e.g. Telegram's getMe), so the first real message does not pay for connecting and compiling. Must not throw for
    /// a provider that is down; the default does nothing.
    /// </summary>
    Task WarmUpAsync(CancellationToken stop) => Task.CompletedTask;

    /// <summary>What this channel accepts, published with every heartbeat (<c>limits:&lt;channel&gt;</c>); null: no limits.</summary>
    ChannelLimits? Limits => null;
}
