using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ada.Sandbox.Telegram;

public enum PersonRefusal
{
    None,
    BotBlocked,
    NoSuchMessage,
    NoSuchButton,
    AlreadyBlocked,
    NotBlocked,
}

/// <summary>What a person's action produced; UpdateId is null when the bot has not subscribed to that update type.</summary>
public sealed record PersonAction(
    PersonRefusal Refusal, int? UpdateId = null, int? MessageId = null, string? CallbackQueryId = null, string? Data = null);

/// <summary>
/// What people do in their Telegram clients, in private chats with the bot: write, press inline buttons, block and
/// unblock. Each action changes the chat and queues the update Telegram would send the bot.
/// </summary>
public sealed partial class TelegramPeople(TelegramState state, TelegramUpdates updates, TimeProvider time)
{
    /// <summary>The chat's person as last seen, or a stand-in named like the chats the bot writes to unasked.</summary>
    public SandboxUser UserOf(long chatId) => state.GetUser(chatId) ?? new SandboxUser(chatId, $"User {chatId}");

    public PersonAction Write(SandboxUser user, string text)
    {
        if (state.AddUserMessage(user, text, CommandEntities(text)) is not { } entry)
        {
            return new PersonAction(PersonRefusal.BotBlocked);
        }

        var message = TelegramBotApi.ToBotMessage(entry, user.Id, user, state.Bot);
        var update = updates.Add(BotUpdate.MessageType, id => new BotUpdate(id, Message: message));
        return new PersonAction(PersonRefusal.None, update?.UpdateId, entry.MessageId);
    }

    /// <summary>Presses the button with that callback_data, or else the one with that text; only buttons the message has.</summary>
    public PersonAction Press(long chatId, int messageId, string? data, string? buttonText)
    {
        if (state.GetChatState(chatId) == ChatState.Blocked)
        {
            return new PersonAction(PersonRefusal.BotBlocked);
        }

        if (state.FindMessage(chatId, messageId) is not { FromBot: true } entry)
        {
            return new PersonAction(PersonRefusal.NoSuchMessage);
        }

        if (FindCallbackData(entry.ReplyMarkup, data, buttonText) is not { } pressed)
        {
            return new PersonAction(PersonRefusal.NoSuchButton);
        }

        var user = UserOf(chatId);
        var press = state.Press(chatId, messageId, pressed);
        var query = new BotCallbackQuery(
            press.Id, BotUser.Person(user), TelegramBotApi.ToBotMessage(entry, chatId, user, state.Bot), ChatInstance(chatId), pressed);
        var update = updates.Add(BotUpdate.CallbackQueryType, id => new BotUpdate(id, CallbackQuery: query));
        return new PersonAction(PersonRefusal.None, update?.UpdateId, messageId, press.Id, pressed);
    }

    /// <summary>Blocking is the bot's membership going member → kicked (for ever); unblocking the reverse.</summary>
    public PersonAction SetBlocked(long chatId, bool blocked)
    {
        if (!state.TrySetBlocked(chatId, blocked))
        {
            return new PersonAction(blocked ? PersonRefusal.AlreadyBlocked : PersonRefusal.NotBlocked);
        }

        var user = UserOf(chatId);
        var bot = state.Bot;
        var member = new BotChatMember("member", bot);
        var kicked = new BotChatMember("kicked", bot, 0);
        var change = new BotChatMemberUpdated(
            BotChat.Private(chatId, user),
            BotUser.Person(user),
            time.GetUtcNow().ToUnixTimeSeconds(),
            blocked ? member : kicked,
            blocked ? kicked : member);
        var update = updates.Add(BotUpdate.MyChatMemberType, id => new BotUpdate(id, MyChatMember: change));
        return new PersonAction(PersonRefusal.None, update?.UpdateId);
    }

    /// <summary>The bot_command entities Telegram marks: /name (a-z, 0-9, _) at the start or after whitespace, @bot optional.</summary>
    public static IReadOnlyList<BotMessageEntity>? CommandEntities(string text)
    {
        var entities = CommandPattern().Matches(text).Select(match => new BotMessageEntity("bot_command", match.Index, match.Length)).ToArray();
        return entities.Length == 0 ? null : entities;
    }

    /// <summary>Stable per chat, as Telegram's chat_instance is.</summary>
    private static string ChatInstance(long chatId) =>
        unchecked(chatId * -7046029254386353131L).ToString(CultureInfo.InvariantCulture);

    private static string? FindCallbackData(JsonElement? markup, string? data, string? buttonText)
    {
        if (markup is not { } keyboard)
        {
            return null;
        }

        var buttons = keyboard.GetProperty("inline_keyboard").EnumerateArray().SelectMany(row => row.EnumerateArray())
            .Where(button => button.TryGetProperty("callback_data", out _))
            .Select(button => (Text: button.GetProperty("text").GetString(), Data: button.GetProperty("callback_data").GetString()))
            .ToList();
        return data is not null
            ? buttons.FirstOrDefault(button => button.Data == data).Data
            : buttons.FirstOrDefault(button => button.Text == buttonText).Data;
    }

    [GeneratedRegex(@"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])", RegexOptions.CultureInvariant)]
    private static partial Regex CommandPattern();
}
