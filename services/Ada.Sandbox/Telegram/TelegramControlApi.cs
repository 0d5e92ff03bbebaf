using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using static Ada.Sandbox.ControlProblems;

namespace Ada.Sandbox.Telegram;

public sealed record ChatStateRequest(string? State);

/// <summary>A missing field leaves that limit unchanged; 0 turns it off.</summary>
public sealed record LimitsRequest(int? MessagesPerSecond, int? PerChatPerSecond);

/// <summary>ForSeconds, when given, reverts the mode to none after that long.</summary>
public sealed record FaultRequest(string? Mode, int? ForSeconds);

/// <summary>
/// A text typed by the person of a private chat (chat id = user id). Profile fields are remembered for the chat;
/// a missing one keeps what was given before (first name "User {chatId}" when never given).
/// </summary>
public sealed record WriteRequest(
    string? Text, long? UserId = null, string? FirstName = null, string? LastName = null, string? Username = null, string? LanguageCode = null);

/// <summary>The button to press: by its callback_data, or else by its text.</summary>
public sealed record PressRequest(int? MessageId, string? Data = null, string? ButtonText = null);

/// <summary>UpdateId is null when the bot's allowed_updates leave that update type out (Telegram then sends nothing).</summary>
public sealed record PersonActionView(int? UpdateId, int? MessageId = null, string? CallbackQueryId = null, string? Data = null);

/// <summary>From is "bot" or "user"; ReplyMarkup is the inline keyboard exactly as the Bot API shows it (snake_case).</summary>
public sealed record ChatMessageView(
    int MessageId, string From, string Text, DateTimeOffset Date, DateTimeOffset? EditedAt, int EditCount, JsonElement? ReplyMarkup);

public sealed record ChatView(
    long ChatId, string State, SandboxUser? User, IReadOnlyList<ChatMessageView> Messages, IReadOnlyList<CallbackPress> Callbacks);

public sealed record WebhookLogView(int Total, IReadOnlyList<WebhookAttempt> Attempts);

/// <summary>How tests reshape the sandboxed Telegram at run time: chat states, rate limits, injected faults.</summary>
public static class TelegramControlApi
{
    public static RouteGroupBuilder MapTelegramControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox/telegram").WithTags("Sandbox: Telegram");

        group.MapPut("/chats/{chatId:long}", SetChatState);
        group.MapPut("/limits", SetLimits);
        group.MapPut("/fault", SetFault);

        group.MapGet("/chats/{chatId:long}", (long chatId, TelegramState telegram) => TypedResults.Ok(ToView(telegram.Read(chatId))));
        group.MapPost("/chats/{chatId:long}/messages", Write);
        group.MapPost("/chats/{chatId:long}/callbacks", Press);
        group.MapPost("/chats/{chatId:long}/block", (long chatId, TelegramPeople people) => SetBlocked(chatId, true, people));
        group.MapPost("/chats/{chatId:long}/unblock", (long chatId, TelegramPeople people) => SetBlocked(chatId, false, people));
        group.MapGet("/commands", (TelegramState telegram) => TypedResults.Ok(telegram.Commands.All()));
        group.MapGet("/updates", (TelegramUpdates updates) => TypedResults.Ok(updates.Snapshot()));
        group.MapPost("/updates/{updateId:int}/redeliver", RedeliverAsync);
        group.MapGet("/webhook-log", (TelegramUpdates updates) =>
        {
            var attempts = updates.ReadAttempts();
            return TypedResults.Ok(new WebhookLogView(attempts.Count, attempts));
        });
        group.MapDelete("/webhook-log", (TelegramUpdates updates) =>
        {
            updates.ClearAttempts();
            return TypedResults.NoContent();
        });

        return group;
    }

    private static Results<NoContent, ProblemHttpResult> SetChatState(long chatId, ChatStateRequest request, TelegramState telegram) =>
        ControlNames.Put<ChatState>("state", request.State, state => telegram.SetChatState(chatId, state));

    private static Results<Ok<TelegramLimits>, ProblemHttpResult> SetLimits(LimitsRequest request, TelegramState telegram)
    {
        if (request.MessagesPerSecond < 0 || request.PerChatPerSecond < 0)
        {
            return Invalid("messagesPerSecond and perChatPerSecond must be 0 (unlimited) or positive.");
        }

        var current = telegram.Limits;
        telegram.Limits = new TelegramLimits(
            request.MessagesPerSecond ?? current.MessagesPerSecond,
            request.PerChatPerSecond ?? current.PerChatPerSecond);
        return TypedResults.Ok(telegram.Limits);
    }

    private static Results<NoContent, ProblemHttpResult> SetFault(FaultRequest request, TelegramState telegram) =>
        telegram.Fault.Set(request.Mode, request.ForSeconds, count: null);

    public static string StateName(ChatState state) => ControlNames.NameOf(state);

    /// <summary>The checks a typed text passes before anything changes; null when it may be sent.</summary>
    public static string? CheckText(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "text must not be empty."
        : text.Length > TelegramBotApi.MaxTextLength ? $"text must be at most {TelegramBotApi.MaxTextLength} characters; got {text.Length}."
        : null;

    private static Results<Ok<PersonActionView>, ProblemHttpResult> Write(long chatId, WriteRequest request, TelegramPeople people)
    {
        if (chatId <= 0)
        {
            return Invalid($"a person writes in a private chat, whose id is the user's positive id; got {chatId}.");
        }

        if (request.UserId is { } userId && userId != chatId)
        {
            return Invalid($"in a private chat the chat id is the user id; got userId {userId} for chat {chatId}.");
        }

        if (CheckText(request.Text) is { } problem)
        {
            return Invalid(problem);
        }

        var known = people.UserOf(chatId);
        var user = new SandboxUser(
            chatId,
            request.FirstName ?? known.FirstName,
            request.LastName ?? known.LastName,
            request.Username ?? known.Username,
            request.LanguageCode ?? known.LanguageCode);
        return ToResult(people.Write(user, request.Text!));
    }

    private static Results<Ok<PersonActionView>, ProblemHttpResult> Press(long chatId, PressRequest request, TelegramPeople people)
    {
        if (request.MessageId is not { } messageId || (request.Data is null && request.ButtonText is null))
        {
            return Invalid("messageId and either data (the button's callback_data) or buttonText are required.");
        }

        return ToResult(people.Press(chatId, messageId, request.Data, request.ButtonText));
    }

    private static Results<Ok<PersonActionView>, ProblemHttpResult> SetBlocked(long chatId, bool blocked, TelegramPeople people) =>
        chatId <= 0
            ? Invalid($"only a person blocks a bot, in a private chat whose id is positive; got {chatId}.")
            : ToResult(people.SetBlocked(chatId, blocked));

    private static async Task<Results<Ok<WebhookAttempt>, ProblemHttpResult>> RedeliverAsync(
        int updateId, TelegramUpdates updates, TelegramWebhookSender sender, CancellationToken cancellationToken)
    {
        var (webhook, update) = updates.FindForRedelivery(updateId);
        if (update is null)
        {
            return NotFound($"update {updateId} is not among the last updates kept.");
        }

        if (webhook is null)
        {
            return Conflict("no webhook is set; setWebhook first.");
        }

        var attempt = await sender.PostAsync(webhook, update, cancellationToken);
        updates.RecordAttempt(attempt);
        return TypedResults.Ok(attempt);
    }

    private static Results<Ok<PersonActionView>, ProblemHttpResult> ToResult(PersonAction action) => action.Refusal switch
    {
        PersonRefusal.None => TypedResults.Ok(new PersonActionView(action.UpdateId, action.MessageId, action.CallbackQueryId, action.Data)),
        PersonRefusal.BotBlocked => Conflict("the user has blocked the bot; unblock it first."),
        PersonRefusal.AlreadyBlocked => Conflict("the user has already blocked the bot."),
        PersonRefusal.NotBlocked => Conflict("the user has not blocked the bot."),
        PersonRefusal.NoSuchMessage => NotFound("the chat has no message from the bot with that id."),
        _ => Invalid("the message has no inline button with that callback_data (or text)."),
    };

    private static ChatView ToView(ChatSnapshot chat) => new(
        chat.ChatId,
        StateName(chat.State),
        chat.User,
        [.. chat.Messages.Select(message => new ChatMessageView(
            message.MessageId, message.FromBot ? "bot" : "user", message.Text, message.Date, message.EditedAt, message.EditCount, message.ReplyMarkup))],
        chat.Callbacks);
}
