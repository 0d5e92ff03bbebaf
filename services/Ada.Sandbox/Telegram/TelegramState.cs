using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Telegram;

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

/// <summary>A person on the sandboxed Telegram; in a private chat the chat id is the user's id.</summary>
public sealed record SandboxUser(long Id, string FirstName, string? LastName = null, string? Username = null, string? LanguageCode = null);

/// <summary>One message of a chat as the chat shows it now; ReplyMarkup is the bot's inline keyboard, as the Bot API wrote it.</summary>
public sealed record ChatEntry(
    int MessageId,
    bool FromBot,
    string Text,
    DateTimeOffset Date,
    DateTimeOffset? EditedAt,
    int EditCount,
    JsonElement? ReplyMarkup,
    IReadOnlyList<BotMessageEntity>? Entities);

/// <summary>A press of an inline button, and the bot's answer once it gives one.</summary>
public sealed record CallbackPress(
    string Id, long ChatId, int MessageId, string Data, DateTimeOffset PressedAt, bool Answered = false, string? AnswerText = null, bool ShowAlert = false, string? Url = null);

/// <summary>Entry is null when the send was throttled; RetryAfterSeconds is then at least 1.</summary>
public readonly record struct SendResult(ChatEntry? Entry, InboxMessage? Message, int RetryAfterSeconds);

public enum EditOutcome
{
    Edited,
    NotFound,
    NotModified,
    NotTheBots,
}

public sealed record ChatSnapshot(long ChatId, ChatState State, SandboxUser? User, IReadOnlyList<ChatEntry> Messages, IReadOnlyList<CallbackPress> Callbacks);

/// <summary>The sandboxed Telegram's world: which chats accept messages, how fast, what each chat shows, and what is broken.</summary>
public sealed class TelegramState
{
    public const string Channel = "telegram";

    /// <summary>Users the t.me page creates get ids from here up, clear of the small ids tests pick.</summary>
    public const long FirstSandboxUserId = 7_000_000_001;

    private readonly ConcurrentDictionary<long, Chat> chats = new();
    private readonly ConcurrentDictionary<string, CallbackPress> callbacks = new();
    private readonly SlidingWindow allChats;
    private readonly Inbox inbox;
    private readonly TimeProvider time;
    private volatile TelegramLimits limits;
    private long lastSandboxUserId = FirstSandboxUserId - 1;
    private long lastCallbackId;
    private long botId;

    public TelegramState(IOptions<TelegramOptions> options, Inbox inbox, TimeProvider time)
    {
        this.inbox = inbox;
        this.time = time;
        allChats = new SlidingWindow(time);
        Fault = new(time);

        var settings = options.Value;
        BotUsername = settings.BotUsername;
        botId = TelegramBotApi.TryReadBotId(settings.Token ?? "", out var configured) ? configured : 0;
        limits = new TelegramLimits(settings.MessagesPerSecond, settings.PerChatPerSecond);
        SetChatStates(settings.BlockedChats, ChatState.Blocked);
        SetChatStates(settings.DeactivatedChats, ChatState.Deactivated);
        SetChatStates(settings.MissingChats, ChatState.NotFound);
    }

    public ChannelCounters Counters { get; } = new();

    public TelegramCommands Commands { get; } = new();

    public string BotUsername { get; }

    /// <summary>The bot as messages show it: its id is that of the token the Bot API last accepted (or the configured one).</summary>
    public BotUser Bot => BotUser.Bot(Interlocked.Read(ref botId), BotUsername);

    public void SeenBot(long id) => Interlocked.Exchange(ref botId, id);

    public TelegramLimits Limits
    {
        get => limits;
        set => limits = value;
    }

    /// <summary>What the Bot API answers every method with, switched by <c>PUT /sandbox/telegram/fault</c>.</summary>
    public ProviderFault<FaultMode> Fault { get; }

    public ChatState GetChatState(long chatId) => chats.TryGetValue(chatId, out var chat) ? chat.State : ChatState.Ok;

    public void SetChatState(long chatId, ChatState state) => GetChat(chatId).State = state;

    public SandboxUser? GetUser(long chatId) => chats.TryGetValue(chatId, out var chat) ? chat.User : null;

    /// <summary>A new person, as when someone opens the bot's t.me link for the first time.</summary>
    public SandboxUser NewUser(string? firstName, string? languageCode)
    {
        var id = Interlocked.Increment(ref lastSandboxUserId);
        var user = new SandboxUser(
            id, firstName ?? $"Пользователь {id - FirstSandboxUserId + 1}", LanguageCode: languageCode ?? "ru");
        GetChat(id).User = user;
        return user;
    }

    /// <summary>Blocks (or unblocks) the bot in the chat; false when it already was (or was not).</summary>
    public bool TrySetBlocked(long chatId, bool blocked)
    {
        var chat = GetChat(chatId);
        lock (chat.Gate)
        {
            if ((chat.State == ChatState.Blocked) == blocked)
            {
                return false;
            }

            chat.State = blocked ? ChatState.Blocked : ChatState.Ok;
            return true;
        }
    }

    /// <summary>Delivers to the inbox and the chat unless a rate limit says no; a refused send uses up no quota.</summary>
    public SendResult TrySend(long chatId, string text, JsonElement? replyMarkup = null)
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
                return new SendResult(null, null, Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));
            }

            if (current.PerChatPerSecond > 0)
            {
                chat.Window.Record(now);
            }

            var entry = chat.Append(true, text, TruncateToMilliseconds(time.GetUtcNow()), replyMarkup, null);
            var message = new InboxMessage(Channel, chat.Id, entry.MessageId, text, entry.Date);
            inbox.Add(message);
            return new SendResult(entry, message, 0);
        }
    }

    /// <summary>What a person typed; null when they have blocked the bot (their client then only offers to restart it).</summary>
    public ChatEntry? AddUserMessage(SandboxUser user, string text, IReadOnlyList<BotMessageEntity>? entities)
    {
        var chat = GetChat(user.Id);
        lock (chat.Gate)
        {
            if (chat.State == ChatState.Blocked)
            {
                return null;
            }

            chat.User = user;
            return chat.Append(false, text, TruncateToMilliseconds(time.GetUtcNow()), null, entities);
        }
    }

    /// <summary>Editing without a reply markup removes the inline keyboard, as on Telegram.</summary>
    public (EditOutcome Outcome, ChatEntry? Entry) Edit(long chatId, int messageId, string text, JsonElement? replyMarkup)
    {
        if (!chats.TryGetValue(chatId, out var chat))
        {
            return (EditOutcome.NotFound, null);
        }

        lock (chat.Gate)
        {
            if (chat.Find(messageId) is not { } index)
            {
                return (EditOutcome.NotFound, null);
            }

            var entry = chat.Messages[index];
            if (!entry.FromBot)
            {
                return (EditOutcome.NotTheBots, null);
            }

            if (entry.Text == text && SameMarkup(entry.ReplyMarkup, replyMarkup))
            {
                return (EditOutcome.NotModified, entry);
            }

            var edited = entry with
            {
                Text = text,
                ReplyMarkup = replyMarkup,
                EditedAt = TruncateToMilliseconds(time.GetUtcNow()),
                EditCount = entry.EditCount + 1,
            };
            chat.Messages[index] = edited;
            return (EditOutcome.Edited, edited);
        }
    }

    public ChatEntry? FindMessage(long chatId, int messageId)
    {
        if (!chats.TryGetValue(chatId, out var chat))
        {
            return null;
        }

        lock (chat.Gate)
        {
            return chat.Find(messageId) is { } index ? chat.Messages[index] : null;
        }
    }

    /// <summary>Records a press of a button the message really has; the query id is new each time, as on Telegram.</summary>
    public CallbackPress Press(long chatId, int messageId, string data)
    {
        var id = (0x2000_0000_0000_0000L + Interlocked.Increment(ref lastCallbackId)).ToString(CultureInfo.InvariantCulture);
        var press = new CallbackPress(id, chatId, messageId, data, TruncateToMilliseconds(time.GetUtcNow()));
        callbacks[id] = press;
        var chat = GetChat(chatId);
        lock (chat.Gate)
        {
            chat.Callbacks.Add(id);
        }

        return press;
    }

    /// <summary>False for an unknown query or one answered already (Telegram answers both alike).</summary>
    public bool TryAnswer(string callbackQueryId, string? text, bool showAlert, string? url)
    {
        while (callbacks.TryGetValue(callbackQueryId, out var press) && !press.Answered)
        {
            if (callbacks.TryUpdate(callbackQueryId, press with { Answered = true, AnswerText = text, ShowAlert = showAlert, Url = url }, press))
            {
                return true;
            }
        }

        return false;
    }

    public ChatSnapshot Read(long chatId)
    {
        if (!chats.TryGetValue(chatId, out var chat))
        {
            return new ChatSnapshot(chatId, ChatState.Ok, null, [], []);
        }

        lock (chat.Gate)
        {
            return new ChatSnapshot(
                chatId, chat.State, chat.User, [.. chat.Messages], [.. chat.Callbacks.Select(id => callbacks[id])]);
        }
    }

    /// <summary>Inline keyboards compare by their JSON, as written by the bot.</summary>
    private static bool SameMarkup(JsonElement? a, JsonElement? b) =>
        (a, b) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.GetRawText() == y.GetRawText(),
            _ => false,
        };

    private Chat GetChat(long chatId) => chats.GetOrAdd(chatId, static (id, time) => new Chat(id, time), time);

    private void SetChatStates(string? chatIds, ChatState state)
    {
        if (!IdList.TryParse(chatIds, out var ids))
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

        public volatile SandboxUser? User;

        /// <summary>Both sides' messages share one numbering, so message ids are 1, 2, 3… in list order.</summary>
        public List<ChatEntry> Messages { get; } = [];

        public List<string> Callbacks { get; } = [];

        public SlidingWindow Window => window ??= new SlidingWindow(time);

        public ChatEntry Append(bool fromBot, string text, DateTimeOffset date, JsonElement? replyMarkup, IReadOnlyList<BotMessageEntity>? entities)
        {
            var entry = new ChatEntry(Messages.Count + 1, fromBot, text, date, null, 0, replyMarkup, entities);
            Messages.Add(entry);
            return entry;
        }

        public int? Find(int messageId) => messageId >= 1 && messageId <= Messages.Count ? messageId - 1 : null;
    }
}
