using System.Collections.Concurrent;

namespace Ada.Sandbox.Telegram;

/// <summary>A BotCommandScope: type as the Bot API names it; ChatId for chat and chat_administrators, both for chat_member.</summary>
public sealed record CommandScope(string Type, long? ChatId = null, long? UserId = null)
{
    public static readonly CommandScope Default = new("default");
    public static readonly CommandScope AllPrivateChats = new("all_private_chats");

    public static readonly string[] Types =
        ["default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators", "chat_member"];

    public static CommandScope Chat(long chatId) => new("chat", chatId);
}

/// <summary>LanguageCode is "" for the list shown to users whose language has no list of its own.</summary>
public sealed record CommandList(CommandScope Scope, string LanguageCode, IReadOnlyList<BotCommandEntry> Commands);

/// <summary>The bot's command lists, one per scope and language, as setMyCommands leaves them.</summary>
public sealed class TelegramCommands
{
    private readonly ConcurrentDictionary<(CommandScope Scope, string LanguageCode), IReadOnlyList<BotCommandEntry>> lists = new();

    /// <summary>An empty list removes the scope's list, as deleteMyCommands does.</summary>
    public void Set(CommandScope scope, string languageCode, IReadOnlyList<BotCommandEntry> commands)
    {
        if (commands.Count == 0)
        {
            lists.TryRemove((scope, languageCode), out _);
        }
        else
        {
            lists[(scope, languageCode)] = commands;
        }
    }

    /// <summary>Exactly the list of that scope and language, empty when none was set (getMyCommands does not fall back).</summary>
    public IReadOnlyList<BotCommandEntry> Get(CommandScope scope, string languageCode) =>
        lists.TryGetValue((scope, languageCode), out var commands) ? commands : [];

    public IReadOnlyList<CommandList> All() =>
        [.. lists.Select(list => new CommandList(list.Key.Scope, list.Key.LanguageCode, list.Value))
            .OrderBy(list => Array.IndexOf(CommandScope.Types, list.Scope.Type))
            .ThenBy(list => list.Scope.ChatId)
            .ThenBy(list => list.LanguageCode, StringComparer.Ordinal)];

    /// <summary>The menu a user sees in a private chat: the first list set in Telegram's documented order.</summary>
    public IReadOnlyList<BotCommandEntry> ShownInPrivateChat(long chatId, string? languageCode)
    {
        foreach (var scope in new[] { CommandScope.Chat(chatId), CommandScope.AllPrivateChats, CommandScope.Default })
        {
            if (!string.IsNullOrEmpty(languageCode) && lists.TryGetValue((scope, languageCode), out var localized))
            {
                return localized;
            }

            if (lists.TryGetValue((scope, ""), out var commands))
            {
                return commands;
            }
        }

        return [];
    }
}
