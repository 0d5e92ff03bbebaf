using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ada.Sandbox.Telegram;

// The Bot API's own shapes, serialized snake_case (TelegramBotApi.Json) exactly as api.telegram.org sends them.

/// <summary>The envelope of every Bot API answer: result when ok, error_code and description otherwise.</summary>
public sealed record BotApiResponse(
    bool Ok,
    object? Result = null,
    int? ErrorCode = null,
    string? Description = null,
    BotApiResponseParameters? Parameters = null)
{
    public static readonly BotApiResponse True = new(true, true);

    /// <summary>Some methods (setWebhook, deleteWebhook) say what they did in description beside result.</summary>
    public static BotApiResponse Success(object result, string? description = null) => new(true, result, Description: description);

    public static BotApiResponse Error(int errorCode, string description) => new(false, ErrorCode: errorCode, Description: description);

    public static BotApiResponse BadRequest(string reason) => Error(StatusCodes.Status400BadRequest, $"Bad Request: {reason}");

    public static BotApiResponse Forbidden(string reason) => Error(StatusCodes.Status403Forbidden, $"Forbidden: {reason}");

    public static BotApiResponse Conflict(string reason) => Error(StatusCodes.Status409Conflict, $"Conflict: {reason}");

    public static BotApiResponse TooManyRequests(int retryAfterSeconds) => new(
        false,
        ErrorCode: StatusCodes.Status429TooManyRequests,
        Description: $"Too Many Requests: retry after {retryAfterSeconds}",
        Parameters: new BotApiResponseParameters(retryAfterSeconds));
}

public sealed record BotApiResponseParameters(int RetryAfter);

/// <summary>The can_* and supports_* fields are only in getMe's answer.</summary>
public sealed record BotUser(
    long Id,
    bool IsBot,
    string FirstName,
    string? LastName = null,
    string? Username = null,
    string? LanguageCode = null,
    bool? CanJoinGroups = null,
    bool? CanReadAllGroupMessages = null,
    bool? SupportsInlineQueries = null)
{
    public const string SandboxFirstName = "Ada Sandbox";

    public static BotUser Bot(long botId, string username) => new(botId, true, SandboxFirstName, Username: username);

    public static BotUser Me(long botId, string username) =>
        Bot(botId, username) with { CanJoinGroups = true, CanReadAllGroupMessages = false, SupportsInlineQueries = false };

    public static BotUser Person(SandboxUser user) =>
        new(user.Id, false, user.FirstName, user.LastName, user.Username, user.LanguageCode);
}

public sealed record BotChat(long Id, string Type, string? FirstName = null, string? LastName = null, string? Username = null)
{
    /// <summary>A private chat's id is its user's id; a chat nobody has written from is "User {id}".</summary>
    public static BotChat Private(long chatId, SandboxUser? user) =>
        new(chatId, "private", user?.FirstName ?? $"User {chatId}", user?.LastName, user?.Username);
}

public sealed record BotMessageEntity(string Type, int Offset, int Length);

/// <summary>Date and EditDate are in Unix seconds, as Telegram sends them; ReplyMarkup is an inline keyboard only.</summary>
public sealed record BotMessage(
    int MessageId,
    BotUser From,
    BotChat Chat,
    long Date,
    string Text,
    long? EditDate = null,
    IReadOnlyList<BotMessageEntity>? Entities = null,
    JsonElement? ReplyMarkup = null);

public sealed record BotCallbackQuery(string Id, BotUser From, BotMessage Message, string ChatInstance, string Data);

/// <summary>UntilDate 0 with status kicked means banned for ever (what blocking a bot looks like).</summary>
public sealed record BotChatMember(string Status, BotUser User, long? UntilDate = null);

public sealed record BotChatMemberUpdated(BotChat Chat, BotUser From, long Date, BotChatMember OldChatMember, BotChatMember NewChatMember);

/// <summary>Exactly one of the optional fields is set.</summary>
public sealed record BotUpdate(
    int UpdateId,
    BotMessage? Message = null,
    BotCallbackQuery? CallbackQuery = null,
    BotChatMemberUpdated? MyChatMember = null)
{
    public const string MessageType = "message";
    public const string CallbackQueryType = "callback_query";
    public const string MyChatMemberType = "my_chat_member";

    [JsonIgnore]
    public string Type => Message is not null ? MessageType : CallbackQuery is not null ? CallbackQueryType : MyChatMemberType;
}

public sealed record BotWebhookInfo(
    string Url,
    bool HasCustomCertificate,
    int PendingUpdateCount,
    long? LastErrorDate = null,
    string? LastErrorMessage = null,
    int? MaxConnections = null,
    IReadOnlyList<string>? AllowedUpdates = null);

public sealed record BotCommandEntry(string Command, string Description);
