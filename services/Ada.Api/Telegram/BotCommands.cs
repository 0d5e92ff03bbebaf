using Ada.Core.Directory;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;

namespace Ada.Api.Telegram;

/// <summary>
/// The command lists Telegram shows in the menu (<c>setMyCommands</c>), in Russian and, for apps in English,
/// in English. Everyone sees the students' list (default scope); a chat linked to a teacher, staff member or
/// admin gets the senders' list in its own scope (<c>BotCommandScopeChat</c>) when it links or starts the bot.
/// </summary>
public sealed class BotCommands(ITelegramBotClient bot, ILogger<BotCommands> logger)
{
    public static IReadOnlyList<BotCommand> Students(string lang) => lang == Languages.English
        ? [new("start", "Link this chat or turn Telegram back on"), new("status", "Where messages reach you"),
           new("stop", "Stop messages in Telegram"), new("help", "What the bot can do")]
        : [new("start", "Привязать чат или снова включить Telegram"), new("status", "Куда приходят сообщения"),
           new("stop", "Не получать сообщения в Telegram"), new("help", "Что умеет бот")];

    public static IReadOnlyList<BotCommand> Senders(string lang) => lang == Languages.English
        ? [new("send", "Write to groups and streams"), new("history", "Your recent messages"),
           new("status", "How a message goes: /status CODE"), new("cancel", "Cancel a message: /cancel CODE"),
           new("stop", "Stop messages in Telegram"), new("help", "What the bot can do")]
        : [new("send", "Написать группам и потокам"), new("history", "Ваши последние сообщения"),
           new("status", "Как идёт доставка: /status КОД"), new("cancel", "Отменить сообщение: /cancel КОД"),
           new("stop", "Не получать сообщения в Telegram"), new("help", "Что умеет бот")];

    /// <summary>The default lists (students'), Russian for everyone and English for English apps.</summary>
    public async Task SetDefaultAsync(CancellationToken cancel)
    {
        await bot.SetMyCommands(Students(Languages.Russian), BotCommandScope.Default(), cancellationToken: cancel);
        await bot.SetMyCommands(Students(Languages.English), BotCommandScope.Default(), Languages.English, cancel);
    }

    /// <summary>
    /// A sender's chat gets the senders' list; a student's chat loses any list of its own (the chat was a teacher's
    /// before it linked to a student), so the default one shows. Failures are logged, not thrown.
    /// </summary>
    public async Task ForChatAsync(long chatId, string role)
    {
        try
        {
            var scope = BotCommandScope.Chat(chatId);
            if (role == Roles.Student)
            {
                await bot.DeleteMyCommands(scope);
                await bot.DeleteMyCommands(scope, Languages.English);
                return;
            }
            await bot.SetMyCommands(Senders(Languages.Russian), scope);
            await bot.SetMyCommands(Senders(Languages.English), scope, Languages.English);
        }
        catch (Exception e) when (e is RequestException or HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning(e, "Could not set the command list of chat {ChatId}", chatId);
        }
    }
}
