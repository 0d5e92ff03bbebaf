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
