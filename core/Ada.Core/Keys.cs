using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace Ada.Core;

/// <summary>
/// Every Redis key Ada uses is named here. A message's keys wrap its id in braces, a Redis Cluster
/// hash tag, so all of them live in one slot and one script may touch them together.
/// </summary>
public static class Keys
{
    /// <summary>The due index is split into this many sorted sets (a fixed number: ids hash to a shard).</summary>
    public const int DueShards = 16;

    public static RedisKey History(string id) => $"history:{{{id}}}";
    public static RedisKey Delivery(string id) => $"delivery:{{{id}}}";
    public static RedisKey Recipients(string id) => $"recipients:{{{id}}}";
    public static RedisKey Receipts(string id) => $"receipts:{{{id}}}";
    public static RedisKey Answer(string id) => $"answer:{{{id}}}";
    public static RedisKey Claim(string id, string channel) => $"claim:{{{id}}}:{channel}";

    public static RedisKey Due(int shard) => $"due:{{{shard}}}";
    public static RedisKey DueFor(string id) => Due(DueShardOf(id));

    public static int DueShardOf(string id) =>
        (int)(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(id)) % DueShards);

    /// <summary>Sliding one-hour log of a sender's queued message ids (the messages-per-hour quota).</summary>
    public static RedisKey Quota(string senderId) => $"quota:{{{senderId}}}";

    public static RedisKey User(string userId) => $"user:{{{userId}}}";
    public static RedisKey Group(string groupId) => $"group:{{{groupId}}}";
    public static RedisKey Supergroup(string id) => $"supergroup:{{{id}}}";
    /// <summary>Active contacts of one channel: user id → address (chat id, VK id, phone).</summary>
    public static RedisKey Contacts(string channel) => $"contacts:{channel}";
    public static RedisKey Token(string tokenHash) => $"token:{tokenHash}";
    /// <summary>Reverse index of one channel's addresses, active or not: address → user id (kept for VK and SMS).</summary>
    public static RedisKey AddressOwners(string channel) => $"address:{channel}";
    /// <summary>A one-time code a user sends to the VK community to attach their VK id: code → user id, with a TTL.</summary>
    public static RedisKey LinkCode(string code) => $"linkcode:{code}";
    /// <summary>VK ids that allowed the community's messages while no user had them.</summary>
    public static RedisKey VkAllowed => "vk:allowed";
    /// <summary>A VK Callback API event already handled (<c>event_id</c>), kept a day so VK's retries are ignored.</summary>
    public static RedisKey VkEvent(string eventId) => $"vk:event:{eventId}";
    /// <summary>Every group's name: group id → name (SMS senders address groups by name).</summary>
    public static RedisKey GroupNames => "names:group";
    /// <summary>Every supergroup's name: supergroup id → name.</summary>
    public static RedisKey SupergroupNames => "names:supergroup";
    /// <summary>An SMS gateway webhook already handled (its envelope <c>id</c>), kept 3 days so the gateway's retries are ignored.</summary>
    public static RedisKey SmsEnvelope(string envelopeId) => $"sms:envelope:{envelopeId}";
    /// <summary>The code a sender types in an SMS (<c>STATUS A7K2P</c>) → the message id, kept 30 days.</summary>
    public static RedisKey ShortId(string senderId, string code) => $"shortid:{{{senderId}}}:{code}";
    /// <summary>A sender's own messages, newest last (score = createdAt ms).</summary>
    public static RedisKey SenderHistory(string senderId) => $"sent:{{{senderId}}}";

    /// <summary>Courier heartbeats of one channel: instance id → last beat (unix ms).</summary>
    public static RedisKey Couriers(string channel) => $"couriers:{channel}";
    public static RedisKey Rate(string channel) => $"rate:{channel}";

    /// <summary>What a channel's couriers accept (JSON <see cref="Couriers.ChannelLimits"/>), written at their start.</summary>
    public static RedisKey ChannelLimits(string channel) => $"limits:{channel}";

    /// <summary>A provider's message id → <c>{id}\n{userId}</c>, so a later delivery report finds its receipt.</summary>
    public static RedisKey ProviderRef(string channel, string providerMessageId) => $"providerref:{channel}:{providerMessageId}";

    /// <summary>The key name inside <c>delivery:{id}</c>, or null when the key is not a delivery key.</summary>
    public static string? IdOfDeliveryKey(string key) =>
        key.StartsWith("delivery:{", StringComparison.Ordinal) && key.EndsWith('}') ? key[10..^1] : null;
}
