using System.IO.Hashing;
using System.Text;
using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Core;

/// <summary>
/// Every Redis key Ada uses is named here. Braces mark a Redis Cluster hash tag: keys with the same tag
/// live in one slot, so one script (or MULTI) may touch them together. A message's keys share its id;
/// its due-index entry shares it too, because ids are made to hash to a due shard's slot
/// (<see cref="Redis.HashSlots"/>); a sender's keys share the sender id; the whole directory shares
/// <c>{directory}</c>, so an import is all-or-nothing and the contact scripts stay atomic in a cluster.
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

    /// <summary>
    /// The due shard whose slot the id hashes to (ids Ada makes always do, see <see cref="Messages.MessageIds"/>),
    /// so the message's scripts touch one slot; any other id falls back to a CRC-32 shard (fine on one node).
    /// </summary>
    public static int DueShardOf(string id) =>
        HashSlots.DueShardOfSlot(HashSlots.Of(id)) is { } shard
            ? shard
            : (int)(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(id)) % DueShards);

    /// <summary>Sliding one-hour log of a sender's queued message ids (the messages-per-hour quota).</summary>
    public static RedisKey Quota(string senderId) => $"quota:{{{senderId}}}";

    /// <summary>The hash tag every directory key starts with: the directory is one slot of a cluster.</summary>
    public const string DirectoryTag = "{directory}";

    public static RedisKey User(string userId) => $"{DirectoryTag}:user:{userId}";
    public static RedisKey Group(string groupId) => $"{DirectoryTag}:group:{groupId}";
    public static RedisKey Supergroup(string id) => $"{DirectoryTag}:supergroup:{id}";
    /// <summary>Users' time zones: user id → IANA zone, only for users with one (the queue reads a thousand in one HMGET).</summary>
    public static RedisKey Zones => $"{DirectoryTag}:zones";
    /// <summary>Active contacts of one channel: user id → address (chat id, VK id, phone).</summary>
    public static RedisKey Contacts(string channel) => $"{DirectoryTag}:contacts:{channel}";
    /// <summary>The hash tag of every token key: a token and its index entries change in one MULTI.</summary>
    public const string TokensTag = "{tokens}";
    /// <summary>A bearer token by its SHA-256: its <see cref="Directory.TokenRecord"/> (JSON), with the token's lifetime as TTL.</summary>
    public static RedisKey Token(string tokenHash) => $"{TokensTag}:token:{tokenHash}";
    /// <summary>Every token's id → its hash (listing and revoking by id).</summary>
    public static RedisKey TokenIds => $"{TokensTag}:ids";
    /// <summary>A user's token ids.</summary>
    public static RedisKey UserTokens(string userId) => $"{TokensTag}:user:{userId}";
    /// <summary>Reverse index of one channel's addresses, active or not: address → user id (kept for the channels of <see cref="Directory.DirectoryStore.AddressIndexed"/>: Telegram, VK, SMS).</summary>
    public static RedisKey AddressOwners(string channel) => $"{DirectoryTag}:address:{channel}";
    /// <summary>A one-time link code (VK message, Telegram <c>/start</c>), by its SHA-256: code hash → user id, with a TTL.</summary>
    public static RedisKey LinkCode(string codeHash) => $"{DirectoryTag}:linkcode:{codeHash}";
    /// <summary>A user's one active link code: user id → its code hash, with the code's TTL (a new code replaces it).</summary>
    public static RedisKey UserLinkCode(string userId) => $"{DirectoryTag}:linkcode-of:{userId}";
    /// <summary>Failed attempts of one sender at one kind of code (link, login, …) in the current window.</summary>
    public static RedisKey Attempts(string kind, string sender) => $"attempts:{kind}:{sender}";
    /// <summary>VK ids that allowed the community's messages while no user had them.</summary>
    public static RedisKey VkAllowed => $"{DirectoryTag}:vk:allowed";
    /// <summary>A VK Callback API event already handled (<c>event_id</c>), kept a day so VK's retries are ignored.</summary>
    public static RedisKey VkEvent(string eventId) => $"vk:event:{eventId}";
    /// <summary>A Telegram bot update (<c>update_id</c>) being handled or handled: acted on once, kept a day.</summary>
    public static RedisKey TelegramUpdate(long updateId) => $"telegram:update:{updateId}";
    /// <summary>The lease of the one API instance that long-polls Telegram (getUpdates allows one poller per bot).</summary>
    public static RedisKey TelegramPoller => "telegram:poller";
    /// <summary>
    /// The bot's status messages to keep up to date: Ada message id → when following starts (unix ms: the due time
    /// minus a little; 0 = look now). One global key, like <see cref="Schedules"/>: no script combines it with another.
    /// </summary>
    public static RedisKey TelegramFollows => "telegram:follows";
    /// <summary>One followed status message (hash: chat, message, code, lang, shown), in its message's slot.</summary>
    public static RedisKey TelegramFollow(string id) => $"telegram:follow:{{{id}}}";
    /// <summary>The lease of the API instance following that status message (<c>lua/lease.lua</c>).</summary>
    public static RedisKey TelegramFollowLease(string id) => $"telegram:follow-lease:{{{id}}}";
    /// <summary>A teacher's <c>/send</c> conversation with the bot in one chat (JSON, expires when left alone).</summary>
    public static RedisKey TelegramConversation(long chatId) => $"telegram:conversation:{chatId}";
    /// <summary>Every group's name: group id → name (SMS senders address groups by name).</summary>
    public static RedisKey GroupNames => $"{DirectoryTag}:names:group";
    /// <summary>Every supergroup's name: supergroup id → name.</summary>
    public static RedisKey SupergroupNames => $"{DirectoryTag}:names:supergroup";
    /// <summary>An SMS gateway webhook already handled (its envelope <c>id</c>), kept 3 days so the gateway's retries are ignored.</summary>
    public static RedisKey SmsEnvelope(string envelopeId) => $"sms:envelope:{envelopeId}";
    /// <summary>The code a sender types in an SMS (<c>STATUS A7K2P</c>) → the message id, kept 30 days.</summary>
    public static RedisKey ShortId(string senderId, string code) => $"shortid:{{{senderId}}}:{code}";
    /// <summary>
    /// A message sent by SMS to many people, waiting for <c>YES code</c> from the same number (Sms:ConfirmAbove):
    /// a hash of the code's SHA-256, the sender and the request, kept Sms:ConfirmMinutes; one per number.
    /// </summary>
    public static RedisKey SmsConfirmation(string phone) => $"smsconfirm:{{{phone}}}";
    /// <summary>How many SMS answers Ada sent a person in the current hour (Sms:RepliesPerHour).</summary>
    public static RedisKey SmsReplies(string userId) => $"smsreplies:{{{userId}}}";
    /// <summary>A sender's own messages, newest last (score = createdAt ms).</summary>
    public static RedisKey SenderHistory(string senderId) => $"sent:{{{senderId}}}";

    /// <summary>
    /// Every sender's messages by creation time (unix ms), in 16 shards like the due index: a message's entry is in
    /// the shard whose slot its id hashes to (<see cref="DueShardOf"/>), so <c>enqueue</c> writes it with the message
    /// in one script on a cluster too (a single global key would be in another slot). Staff and admins list everyone's
    /// messages by merging the shards (<c>GET /v1/history?all=true</c>).
    /// </summary>
    public static RedisKey Messages(int shard) => $"messages:{{{shard}}}";
    public static RedisKey MessagesFor(string id) => Messages(DueShardOf(id));
    public static IReadOnlyList<RedisKey> AllMessages { get; } = [.. Enumerable.Range(0, DueShards).Select(Messages)];

    /// <summary>A sign-in code waiting for its user (hash of the code, attempts left), with a TTL of minutes.</summary>
    public static RedisKey SignInCode(string userId) => $"signin:{{{userId}}}";
    /// <summary>A web session by the SHA-256 of its cookie value: who, and its anti-forgery token; with a TTL.</summary>
    public static RedisKey Session(string sessionHash) => $"session:{sessionHash}";
    /// <summary>Every session of one user (hashes), so signing a user out everywhere finds them all.</summary>
    public static RedisKey UserSessions(string userId) => $"sessions:{{{userId}}}";
    /// <summary>
    /// A recurring schedule (hash: <c>definition</c> JSON, <c>state</c>, <c>next</c> unix ms). Its id hashes to a due
    /// shard's slot like a message id, and its next occurrence is a tick in the due index and a
    /// <see cref="Delivery"/> key under the schedule id, so schedules fall due exactly as messages do.
    /// </summary>
    public static RedisKey Schedule(string scheduleId) => $"schedule:{{{scheduleId}}}";
    /// <summary>The last occurrences of a schedule (list of JSON, newest first, capped).</summary>
    public static RedisKey Occurrences(string scheduleId) => $"occurrences:{{{scheduleId}}}";
    /// <summary>Every schedule id, scored by creation time (unix ms).</summary>
    public static RedisKey Schedules => "schedules";
    /// <summary>The lease of the API instance firing a schedule's due occurrence.</summary>
    public static RedisKey ScheduleClaim(string scheduleId) => Claim(scheduleId, "schedule");

    /// <summary>Courier heartbeats of one channel: instance id → last beat (unix ms).</summary>
    public static RedisKey Couriers(string channel) => $"couriers:{channel}";

    /// <summary>The channel registry: channel name → first registration (unix ms). Registered channels are expected by every message.</summary>
    public static RedisKey ChannelRegistry => "channels";
    public static RedisKey Rate(string channel) => $"rate:{channel}";

    /// <summary>What a channel's couriers accept (JSON <see cref="Couriers.ChannelLimits"/>), written at their start.</summary>
    public static RedisKey ChannelLimits(string channel) => $"limits:{channel}";

    /// <summary>A provider's message id → <c>{id}\n{userId}</c>, so a later delivery report finds its receipt.</summary>
    public static RedisKey ProviderRef(string channel, string providerMessageId) => $"providerref:{channel}:{providerMessageId}";

    /// <summary>The key name inside <c>delivery:{id}</c>, or null when the key is not a delivery key.</summary>
    public static string? IdOfDeliveryKey(string key) =>
        key.StartsWith("delivery:{", StringComparison.Ordinal) && key.EndsWith('}') ? key[10..^1] : null;
}
