using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Ada.Sandbox.Telegram;

namespace Ada.Sandbox.Vk;

/// <summary>Whether a peer takes messages from the community, and if not, which VK error says so.</summary>
public enum VkPeerState
{
    Ok,
    NotAllowed,
    Blacklisted,
    Privacy,
    Deleted,
    Deactivated,
}

public enum VkFaultMode
{
    None,
    Error10,
    Http500,
    Timeout,
}

/// <summary>Zero means unlimited.</summary>
public sealed record VkLimits(int RequestsPerSecond);

/// <summary>Until is null for a fault that lasts until it is replaced.</summary>
public sealed record VkFault(VkFaultMode Mode, DateTimeOffset? Until)
{
    public static readonly VkFault None = new(VkFaultMode.None, null);
}

/// <summary>A message to one peer: Deduplicated when an earlier send with the same random_id already delivered it.</summary>
public readonly record struct VkDelivery(long MessageId, long ConversationMessageId, bool Deduplicated);

/// <summary>Exactly one of Delivery and Failure is set.</summary>
public readonly record struct VkSendOutcome(VkDelivery? Delivery, VkFailure? Failure);

public sealed record VkCountersSnapshot(long Requests, long ExecuteCalls, long Sent, long Deduplicated, long Throttled, long Errors);

/// <summary>
/// What the sandboxed VK has answered. Requests counts HTTP calls to /method/*; ExecuteCalls the execute ones among
/// them; Sent the messages delivered; Deduplicated the sends answered from an earlier random_id; Throttled the
/// error 6 answers; Errors every other VK error, whole-request or per recipient.
/// </summary>
public sealed class VkCounters
{
    private long requests;
    private long executeCalls;
    private long sent;
    private long deduplicated;
    private long throttled;
    private long errors;

    public void CountRequest() => Interlocked.Increment(ref requests);

    public void CountExecute() => Interlocked.Increment(ref executeCalls);

    public void CountSent() => Interlocked.Increment(ref sent);

    public void CountDeduplicated() => Interlocked.Increment(ref deduplicated);

    public void CountThrottled() => Interlocked.Increment(ref throttled);

    public void CountError() => Interlocked.Increment(ref errors);

    public VkCountersSnapshot Snapshot() => new(
        Interlocked.Read(ref requests),
        Interlocked.Read(ref executeCalls),
        Interlocked.Read(ref sent),
        Interlocked.Read(ref deduplicated),
        Interlocked.Read(ref throttled),
        Interlocked.Read(ref errors));
}

/// <summary>The sandboxed VK's world: which peers accept messages, what was sent to them, how fast, what is broken.</summary>
public sealed class VkState
{
    public const string Channel = "vk";

    private readonly ConcurrentDictionary<long, Peer> peers = new();
    private readonly SlidingWindow requests;
    private readonly Inbox inbox;
    private readonly TimeProvider time;
    private volatile VkLimits limits;
    private volatile VkFault fault = VkFault.None;

    // VK message ids grow across all conversations of the community, so one counter serves every peer.
    private long lastMessageId;

    public VkState(IOptions<VkOptions> options, Inbox inbox, TimeProvider time)
    {
        this.inbox = inbox;
        this.time = time;
        requests = new SlidingWindow(time);

        var settings = options.Value;
        limits = new VkLimits(settings.RequestsPerSecond);
        if (!VkOptions.TryParsePeerIds(settings.NotAllowedPeers, out var notAllowed))
        {
            throw new InvalidOperationException($"Peer ids '{settings.NotAllowedPeers}' passed options validation but do not parse.");
        }

        foreach (var peerId in notAllowed)
        {
            SetPeerState(peerId, VkPeerState.NotAllowed);
        }
    }

    public VkCounters Counters { get; } = new();

    public VkLimits Limits
    {
        get => limits;
        set => limits = value;
    }

    public VkFault Fault
    {
        get
        {
            var current = fault;
            return current.Until is { } until && time.GetUtcNow() >= until ? VkFault.None : current;
        }
    }

    public void SetFault(VkFaultMode mode, TimeSpan? duration) =>
        fault = mode == VkFaultMode.None ? VkFault.None : new VkFault(mode, time.GetUtcNow() + duration);

    public VkPeerState GetPeerState(long peerId) => peers.TryGetValue(peerId, out var peer) ? peer.State : VkPeerState.Ok;

    public void SetPeerState(long peerId, VkPeerState state) => GetPeer(peerId).State = state;

    /// <summary>Admits one method call under the per-second limit; a refused call uses up no quota.</summary>
    public bool TryAdmitRequest()
    {
        var limit = limits.RequestsPerSecond;
        return limit == 0 || requests.TryAcquire(limit, time.GetTimestamp(), out _);
    }

    /// <summary>
    /// Delivers text to the inbox unless the peer refuses it. A non-zero random_id already used for this peer
    /// returns the earlier message instead, whatever the peer's state now: that send did go through.
    /// </summary>
    public VkSendOutcome Send(long peerId, long randomId, string text)
    {
        var peer = GetPeer(peerId);

        // Numbering and storing under the peer's lock keeps each peer's inbox in message id order and makes
        // a concurrent retry with the same random_id see the first send.
        lock (peer.Gate)
        {
            if (randomId != 0 && peer.SentByRandomId.TryGetValue(randomId, out var earlier))
            {
                Counters.CountDeduplicated();
                return new VkSendOutcome(earlier with { Deduplicated = true }, null);
            }

            if (VkErrors.ForPeerState(peer.State) is { } refusal)
            {
                return new VkSendOutcome(null, refusal);
            }

            var delivery = new VkDelivery(Interlocked.Increment(ref lastMessageId), ++peer.LastConversationMessageId, false);
            inbox.Add(new InboxMessage(Channel, peer.Id, delivery.MessageId, text, TruncateToMilliseconds(time.GetUtcNow())));
            if (randomId != 0)
            {
                peer.SentByRandomId[randomId] = delivery;
            }

            Counters.CountSent();
            return new VkSendOutcome(delivery, null);
        }
    }

    /// <summary>
    /// Numbers a message the user wrote to the community. Writing first lets the community answer, as on VK,
    /// unless the user is blocked in some stronger way.
    /// </summary>
    public VkDelivery Receive(long userId)
    {
        var peer = GetPeer(userId);
        lock (peer.Gate)
        {
            if (peer.State == VkPeerState.NotAllowed)
            {
                peer.State = VkPeerState.Ok;
            }

            return new VkDelivery(Interlocked.Increment(ref lastMessageId), ++peer.LastConversationMessageId, false);
        }
    }

    private Peer GetPeer(long peerId) => peers.GetOrAdd(peerId, static id => new Peer(id));

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    private sealed class Peer(long id)
    {
        public string Id { get; } = id.ToString(CultureInfo.InvariantCulture);

        public Lock Gate { get; } = new();

        public volatile VkPeerState State;

        public long LastConversationMessageId;

        public Dictionary<long, VkDelivery> SentByRandomId { get; } = [];
    }
}
