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
    public Counter Requests { get; } = new();
    public Counter ExecuteCalls { get; } = new();
    public Counter Sent { get; } = new();
    public Counter Deduplicated { get; } = new();
    public Counter Throttled { get; } = new();
    public Counter Errors { get; } = new();

    public VkCountersSnapshot Snapshot() =>
        new(Requests.Value, ExecuteCalls.Value, Sent.Value, Deduplicated.Value, Throttled.Value, Errors.Value);
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

    // VK message ids grow across all conversations of the community, so one counter serves every peer.
    private long lastMessageId;

    public VkState(IOptions<VkOptions> options, Inbox inbox, TimeProvider time)
    {
        this.inbox = inbox;
        this.time = time;
        requests = new SlidingWindow(time);
        Fault = new(time);

        var settings = options.Value;
        limits = new VkLimits(settings.RequestsPerSecond);
        if (!IdList.TryParse(settings.NotAllowedPeers, out var notAllowed))
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

    /// <summary>What every method call is answered with, switched by <c>PUT /sandbox/vk/fault</c>.</summary>
    public ProviderFault<VkFaultMode> Fault { get; }

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
                Counters.Deduplicated.Add();
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

            Counters.Sent.Add();
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
