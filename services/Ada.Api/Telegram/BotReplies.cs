using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.ReplyMarkups;

namespace Ada.Api.Telegram;

/// <summary>
/// The bot's answers, straight to the Bot API (the API, not a courier, talks to people in a conversation:
/// docs/architecture.md, "Decisions"). An answer that cannot be delivered (the person blocked the bot,
/// Telegram is down) is logged and dropped: what the update changed in Redis is already recorded, and
/// acting on the update again would do it twice.
/// </summary>
public sealed class BotReplies(ITelegramBotClient bot, ILogger<BotReplies> logger)
{
    /// <summary>Sends a message; its id, or null when Telegram did not take it.</summary>
    public async Task<int?> SendAsync(long chatId, string text, InlineKeyboardMarkup? keyboard = null, CancellationToken cancel = default)
    {
        try
        {
            var message = await bot.SendMessage(chatId, text, replyMarkup: keyboard, cancellationToken: cancel);
            return message.Id;
        }
        catch (Exception e) when (e is ApiRequestException or HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not answer chat {ChatId}", chatId);
            return null;
        }
    }

    /// <summary>Replaces a message's text (and keyboard; none when null). Same content is not an error.</summary>
    public async Task<bool> EditAsync(long chatId, int messageId, string text, InlineKeyboardMarkup? keyboard = null,
        CancellationToken cancel = default)
    {
        try
        {
            await bot.EditMessageText(chatId, messageId, text, replyMarkup: keyboard, cancellationToken: cancel);
            return true;
        }
        catch (ApiRequestException e) when (e.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        catch (Exception e) when (e is ApiRequestException or HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not edit message {MessageId} in chat {ChatId}", messageId, chatId);
            return false;
        }
    }

    /// <summary>Stops the button's spinner in the person's app, with a short note when given (≤ 200 characters).</summary>
    public async Task AnswerButtonAsync(string callbackQueryId, string? note = null)
    {
        try
        {
            await bot.AnswerCallbackQuery(callbackQueryId, note is { Length: > 200 } ? note[..200] : note);
        }
        catch (Exception e) when (e is ApiRequestException or HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning(e, "Could not answer callback query {CallbackQueryId}", callbackQueryId);
        }
    }

    public static InlineKeyboardButton Button(string text, string data) => InlineKeyboardButton.WithCallbackData(text, data);
}
