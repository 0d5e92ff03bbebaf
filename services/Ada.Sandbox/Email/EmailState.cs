namespace Ada.Sandbox.Email;

public enum EmailFaultMode
{
    None,

    /// <summary>The end of DATA is answered 451 4.3.0: the message is not taken, try later.</summary>
    Temporary,

    /// <summary>The end of DATA is answered 550 5.1.1 (no such user): the message is refused for good.</summary>
    Permanent,

    /// <summary>The connection is closed at the end of DATA without a reply: the message is not taken.</summary>
    Disconnect,
}

/// <summary>
/// Sessions counts SMTP connections accepted; Messages the DATA transactions that reached their end; Sent the
/// recipients whose copy went into the inbox; Deferred (4xx), Rejected (5xx) and Dropped the messages a fault hit.
/// </summary>
public sealed record EmailCountersSnapshot(long Sessions, long Messages, long Sent, long Deferred, long Rejected, long Dropped);

public sealed class EmailCounters
{
    public Counter Sessions { get; } = new();
    public Counter Messages { get; } = new();
    public Counter Sent { get; } = new();
    public Counter Deferred { get; } = new();
    public Counter Rejected { get; } = new();
    public Counter Dropped { get; } = new();

    public EmailCountersSnapshot Snapshot() =>
        new(Sessions.Value, Messages.Value, Sent.Value, Deferred.Value, Rejected.Value, Dropped.Value);
}

/// <summary>The sandboxed SMTP server's world: where it listens, what is broken now, and what it has seen.</summary>
public sealed class EmailState(TimeProvider time)
{
    public const string Channel = "email";

    private readonly Dictionary<string, long> lastMessageIds = new(StringComparer.OrdinalIgnoreCase);

    public EmailCounters Counters { get; } = new();

    /// <summary>The port the SMTP server listens on (0 until it has started).</summary>
    public int Port { get; set; }

    /// <summary>What the server does at the end of a message's DATA, switched by <c>PUT /sandbox/email/fault</c>.</summary>
    public ProviderFault<EmailFaultMode> Fault { get; } = new(time);

    /// <summary>The next inbox number of one recipient's mailbox: 1, 2, …</summary>
    public long NextMessageId(string recipient)
    {
        lock (lastMessageIds)
        {
            var next = lastMessageIds.GetValueOrDefault(recipient) + 1;
            lastMessageIds[recipient] = next;
            return next;
        }
    }
}
