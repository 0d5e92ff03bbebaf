using Ada.Api.Auth;
using Ada.Api.Sms;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Microsoft.Extensions.Options;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Ada.Api.Telegram;

/// <summary>
/// The one handler of bot updates, whether they came by webhook or by long polling: a <c>switch</c> on the
/// update's shape. Private chats only. Students link (<c>/start CODE</c>), turn Telegram off and on
/// (<c>/stop</c>, <c>/start</c>, blocking the bot) and ask <c>/status</c>; teachers and staff also send
/// (<see cref="SendConversation"/>), list <c>/history</c> and act on a message by its short code. Each
/// update is acted on once (<see cref="UpdateOnce"/>); <see cref="HandleAsync"/> returns once the work is
/// recorded, so the caller may then acknowledge the update to Telegram.
/// </summary>
public sealed class BotUpdates(
    UpdateOnce once, TelegramDirectory telegram, DirectoryStore directory, AttemptLimiter attempts, SendConversation conversation,
    BotReplies replies, BotCommands commands, ShortIds shortIds, MessageStore messages, IOptions<SchedulingOptions> scheduling,
    TimeProvider time, ILogger<BotUpdates> logger)
{
    /// <summary>The <see cref="AttemptLimiter"/> kind of link codes given to the bot (<c>/start CODE</c>), per chat.</summary>
    public const string AttemptKind = "telegram";

    public const int HistoryLength = 10;

    private readonly TimeZoneInfo _zone = scheduling.Value.Zone;

    /// <summary>Acts on the update unless it was already; <see cref="OnceTurn.Busy"/> when another instance is acting on it.</summary>
    public async Task<OnceTurn> HandleAsync(Update update)
    {
        var turn = await once.BeginAsync(update.Id);
        if (turn != OnceTurn.Act)
        {
            logger.LogInformation("Skipped Telegram update {UpdateId}: {Turn}", update.Id, turn);
            return turn;
        }
        try
        {
            await ActAsync(update);
        }
        catch
        {
            await once.ForgetAsync(update.Id);
            throw;
        }
        await once.DoneAsync(update.Id);
        return OnceTurn.Act;
    }

    private async Task ActAsync(Update update)
    {
        switch (update)
        {
            case { Message: { Chat.Type: ChatType.Private, Text: { } text } message }:
                await OnTextAsync(message.Chat.Id, BotTexts.LanguageOf(message.From?.LanguageCode), text.Trim());
                break;
            case { CallbackQuery: { Data: { } data, Message: { Chat.Type: ChatType.Private } message } query }:
                await OnButtonAsync(message.Chat.Id, message.Id, query.Id, data, BotTexts.LanguageOf(query.From.LanguageCode));
                break;
            case { CallbackQuery: { } query }:
                await replies.AnswerButtonAsync(query.Id);
                break;
            case { MyChatMember: { Chat.Type: ChatType.Private } member }:
                await OnMembershipAsync(member);
                break;
            default:
                logger.LogDebug("Ignored Telegram update {UpdateId} of type {Type}", update.Id, update.Type);
                break;
        }
    }

    private async Task OnTextAsync(long chatId, string lang, string text)
    {
        var (command, argument) = Command(text);
        if (command == "/start" && argument is not null)
        {
            await LinkAsync(chatId, lang, argument);
            return;
        }
        var user = await telegram.OwnerAsync(chatId);
        if (user is null)
        {
            await replies.SendAsync(chatId, BotTexts.NotLinked(lang));
            return;
        }
        var caller = new Caller(user.Id, user.Role);
        var sender = user.Role != Roles.Student;
        switch (command)
        {
            case "/start":
                await telegram.ActivateAsync(user.Id, chatId);
                await commands.ForChatAsync(chatId, user.Role);
                await replies.SendAsync(chatId, BotTexts.Restarted(await directory.GetUserAsync(user.Id) ?? user, lang));
                return;
            case "/stop":
                await telegram.DeactivateAsync(user.Id, chatId);
                logger.LogInformation("{UserId} turned Telegram off with /stop", user.Id);
                await replies.SendAsync(chatId, BotTexts.Stopped(lang));
                return;
            case "/help":
                await replies.SendAsync(chatId, BotTexts.Help(user.Role, lang));
                return;
            case "/status" when argument is null || !sender:
                await replies.SendAsync(chatId, BotTexts.Status(user, lang));
                return;
            case "/status":
                await StatusAsync(chatId, caller, argument, lang);
                return;
            case "/cancel" when sender:
                await CancelAsync(chatId, caller, argument, lang);
                return;
            case "/history" when sender:
                await HistoryAsync(chatId, caller, lang);
                return;
            case "/send" when sender:
                await conversation.StartAsync(chatId, caller, lang, argument);
                return;
            case null when sender:
                if (!await conversation.OnTextAsync(chatId, caller, text))
                {
                    await conversation.StartAsync(chatId, caller, lang, text);
                }
                return;
            case null or "/send" or "/history" or "/cancel":
                await replies.SendAsync(chatId, BotTexts.StudentCannotSend(lang));
                return;
            default:
                await replies.SendAsync(chatId, BotTexts.UnknownCommand(lang));
                return;
        }
    }

    /// <summary>
    /// <c>/start CODE</c> (from the deep link <c>t.me/&lt;bot&gt;?start=CODE</c>): the chat becomes the code's user's
    /// Telegram contact. Wrong codes count against the chat (<see cref="AttemptLimiter"/>); a blocked chat links nothing.
    /// </summary>
    private async Task LinkAsync(long chatId, string lang, string typed)
    {
        var sender = TelegramDirectory.Address(chatId);
        if (await attempts.IsBlockedAsync(AttemptKind, sender))
        {
            await replies.SendAsync(chatId, BotTexts.TooManyAttempts(lang));
            return;
        }
        var result = LinkCodes.Normalize(typed) is { } code ? await telegram.LinkAsync(code, chatId) : new LinkResult(LinkOutcome.Unknown);
        if (result.Outcome == LinkOutcome.Unknown)
        {
            var blocked = await attempts.RecordFailureAsync(AttemptKind, sender);
            await replies.SendAsync(chatId, blocked ? BotTexts.TooManyAttempts(lang) : BotTexts.CodeUnknown(lang));
            return;
        }
        await attempts.ResetAsync(AttemptKind, sender);
        if (result.Outcome == LinkOutcome.Moved)
        {
            logger.LogWarning("Linked chat {ChatId} to {UserId} by a link code; it was the Telegram contact of {PreviousOwner}, who lost it",
                chatId, result.UserId, result.PreviousOwner);
        }
        else
        {
            logger.LogInformation("Linked chat {ChatId} to {UserId} by a link code", chatId, result.UserId);
        }
        var user = await directory.GetUserAsync(result.UserId!);
        if (user is null)
        {
            return;
        }
        await commands.ForChatAsync(chatId, user.Role);
        await replies.SendAsync(chatId, BotTexts.Linked(user, lang));
    }

    private async Task OnButtonAsync(long chatId, int messageId, string queryId, string data, string lang)
    {
        var user = await telegram.OwnerAsync(chatId);
        if (user is null || user.Role == Roles.Student)
        {
            await replies.AnswerButtonAsync(queryId, user is null ? BotTexts.NotLinked(lang) : BotTexts.StudentCannotSend(lang));
            return;
        }
        await conversation.OnButtonAsync(chatId, messageId, queryId, new Caller(user.Id, user.Role), data);
    }

    /// <summary>Blocking the bot (<c>kicked</c>) turns the person's Telegram contact off at once, as a 403 during a send does.</summary>
    private async Task OnMembershipAsync(ChatMemberUpdated member)
    {
        if (member.NewChatMember.Status != ChatMemberStatus.Kicked)
        {
            return;
        }
        if (await telegram.OwnerAsync(member.Chat.Id) is { } user && await telegram.DeactivateAsync(user.Id, member.Chat.Id))
        {
            logger.LogInformation("{UserId} blocked the bot; their Telegram contact is inactive", user.Id);
        }
    }

    private async Task StatusAsync(long chatId, Caller caller, string typed, string lang)
    {
        if (await FindAsync(caller, typed) is not { } id || await messages.GetHistoryAsync(id) is not { } history)
        {
            await replies.SendAsync(chatId, BotTexts.UnknownMessageCode(typed, lang));
            return;
        }
        await replies.SendAsync(chatId, BotTexts.DeliveryStatus(history, history.ShortId ?? ShortIds.Normalize(typed) ?? typed, _zone, lang));
    }

    private async Task CancelAsync(long chatId, Caller caller, string? typed, string lang)
    {
        if (typed is null)
        {
            await replies.SendAsync(chatId, BotTexts.CodeNeeded("/cancel", lang));
            return;
        }
        if (await FindAsync(caller, typed) is not { } id)
        {
            await replies.SendAsync(chatId, BotTexts.UnknownMessageCode(typed, lang));
            return;
        }
        var code = ShortIds.Normalize(typed) ?? typed;
        var outcome = await messages.CancelAsync(id, time.GetUtcNow());
        if (outcome.Status == ChangeStatus.Missing)
        {
            await replies.SendAsync(chatId, BotTexts.UnknownMessageCode(typed, lang));
            return;
        }
        if (outcome.Changed)
        {
            logger.LogInformation("Cancelled {MessageId} through the Telegram bot for {Sender}", id, caller.Id);
        }
        await replies.SendAsync(chatId, outcome.Changed ? BotTexts.Cancelled(code, lang) : BotTexts.NotCancelled(code, outcome.State, lang));
    }

    private async Task HistoryAsync(long chatId, Caller caller, string lang)
    {
        var ids = await messages.ListIdsAsync(caller.Id, HistoryLength);
        var documents = (await messages.GetHistoryJsonManyAsync(ids)).Select(AdaJson.Deserialize<HistoryDocument>).OfType<HistoryDocument>().ToList();
        await replies.SendAsync(chatId, documents.Count == 0
            ? BotTexts.NoHistory(lang)
            : string.Join('\n', documents.Select(h => BotTexts.HistoryLine(h, _zone, lang))));
    }

    /// <summary>The message a code names, when the caller may see it (their own; staff and admins may give any full id).</summary>
    private async Task<string?> FindAsync(Caller caller, string typed) =>
        await shortIds.ResolveAsync(caller.Id, typed) is { } id && MessageIds.TryParse(id, out var sender) && caller.MayActFor(sender)
            ? id
            : null;

    /// <summary><c>/cmd@bot argument</c> → ("/cmd", "argument"); plain text → (null, null).</summary>
    public static (string? Command, string? Argument) Command(string text)
    {
        if (!text.StartsWith('/'))
        {
            return (null, null);
        }
        var space = text.IndexOfAny([' ', '\n']);
        var head = space < 0 ? text : text[..space];
        var at = head.IndexOf('@', StringComparison.Ordinal);
        var command = (at < 0 ? head : head[..at]).ToLowerInvariant();
        var argument = space < 0 ? null : text[(space + 1)..].Trim();
        return (command, string.IsNullOrEmpty(argument) ? null : argument);
    }
}
