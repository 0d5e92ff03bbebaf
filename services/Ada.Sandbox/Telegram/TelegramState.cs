using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox;

public enum ChatState
{
    Ok,
    Blocked,
    Deactivated,
    NotFound,
}

public enum FaultMode
{
    None,
    Error500,
    Error502,
    Timeout,
}

/// <summary>Zero means unlimited.</summary>
public sealed record TelegramLimits(int MessagesPerSecond, int PerChatPerSecond);

/// <summary>Until is null for a fault that lasts until it is replaced.</summary>
public sealed record TelegramFault(FaultMode Mode, DateTimeOffset? Until)
{
    public static readonly TelegramFault None = new(FaultMode.None, null);
}

/// <summary>Message is null when the send was throttled; RetryAfterSeconds is then at least 1.</summary>
public readonly record struct SendResult(InboxMessage? Message, int RetryAfterSeconds);

/// <summary>The sandboxed Telegram's world: which chats accept messages, how fast, and what is currently broken.</summary>
public sealed class TelegramState
{
    public const string Channel = "telegram";

    private readonly ConcurrentDictionary<long, Chat> chats = new();
    private readonly SlidingWindow allChats;
    private readonly Inbox inbox;
    private readonly TimeProvider time;
    private volatile TelegramLimits limits;
    private volatile TelegramFault fault = TelegramFault.None;

    public TelegramState(IOptions<TelegramOptions> options, Inbox inbox, TimeProvider time)
    {
        this.inbox = inbox;
        this.time = time;
        allChats = new SlidingWindow(time);

        var settings = options.Value;
        limits = new TelegramLimits(settings.MessagesPerSecond, settings.PerChatPerSecond);
        SetChatStates(settings.BlockedChats, ChatState.Blocked);
        SetChatStates(settings.DeactivatedChats, ChatState.Deactivated);
        SetChatStates(settings.MissingChats, ChatState.NotFound);
    }

    public ChannelCounters Counters { get; } = new();

    public TelegramLimits Limits
    {
        get => limits;
        set => limits = value;
    }

    public TelegramFault Fault
    {
        get
        {
            var current = fault;
            return current.Until is { } until && time.GetUtcNow() >= until ? TelegramFault.None : current;
        }
    }

    public void SetFault(FaultMode mode, TimeSpan? duration) =>
        fault = mode == FaultMode.None ? TelegramFault.None : new TelegramFault(mode, time.GetUtcNow() + duration);

    public ChatState GetChatState(long chatId) => chats.TryGetValue(chatId, out var chat) ? chat.State : ChatState.Ok;

    public void SetChatState(long chatId, ChatState state) => GetChat(chatId).State = state;

    /// <summary>Delivers to the inbox unless a rate limit says no; a refused send uses up no quota.</summary>
    public SendResult TrySend(long chatId, string text)
    {
        var chat = GetChat(chatId);
        var current = limits;

        // Numbering and storing under the chat's lock keeps each chat's inbox in message_id order.
        lock (chat.Gate)
        {
            var now = time.GetTimestamp();
            var wait = TimeSpan.Zero;
            var throttled =
                (current.PerChatPerSecond > 0 && !chat.Window.HasRoom(current.PerChatPerSecond, now, out wait))
                || (current.MessagesPerSecond > 0 && !allChats.TryAcquire(current.MessagesPerSecond, now, out wait));
            if (throttled)
            {
                return new SendResult(null, Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));
            }

            if (current.PerChatPerSecond > 0)
            {
                chat.Window.Record(now);
            }

            var message = new InboxMessage(
                Channel, chat.Id, ++chat.LastMessageId, text, TruncateToMilliseconds(time.GetUtcNow()));
            inbox.Add(message);
            return new SendResult(message, 0);
        }
    }

    private Chat GetChat(long chatId) => chats.GetOrAdd(chatId, static (id, time) => new Chat(id, time), time);

    private void SetChatStates(string? chatIds, ChatState state)
    {
        if (!TelegramOptions.TryParseChatIds(chatIds, out var ids))
        {
            throw new InvalidOperationException($"Chat ids '{chatIds}' passed options validation but do not parse.");
        }

        foreach (var id in ids)
        {
            SetChatState(id, state);
        }
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    private sealed class Chat(long id, TimeProvider time)
    {
        private SlidingWindow? window;

        public string Id { get; } = id.ToString(CultureInfo.InvariantCulture);

        public Lock Gate { get; } = new();

        public volatile ChatState State;

        public int LastMessageId;

        public SlidingWindow Window => window ??= new SlidingWindow(time);
    }
}
