namespace Ada.Sandbox;

// The Bot API's own shapes, serialized snake_case (TelegramBotApi.Json) exactly as api.telegram.org sends them.

/// <summary>The envelope of every Bot API answer: result when ok, error_code and description otherwise.</summary>
public sealed record BotApiResponse(
    bool Ok,
    object? Result = null,
    int? ErrorCode = null,
    string? Description = null,
    BotApiResponseParameters? Parameters = null)
{
    public static BotApiResponse Success(object result) => new(true, result);

    public static BotApiResponse Error(int errorCode, string description) => new(false, ErrorCode: errorCode, Description: description);

    public static BotApiResponse BadRequest(string reason) => Error(StatusCodes.Status400BadRequest, $"Bad Request: {reason}");

    public static BotApiResponse Forbidden(string reason) => Error(StatusCodes.Status403Forbidden, $"Forbidden: {reason}");

    public static BotApiResponse TooManyRequests(int retryAfterSeconds) => new(
        false,
        ErrorCode: StatusCodes.Status429TooManyRequests,
        Description: $"Too Many Requests: retry after {retryAfterSeconds}",
        Parameters: new BotApiResponseParameters(retryAfterSeconds));
}

public sealed record BotApiResponseParameters(int RetryAfter);

public sealed record BotUser(
    long Id,
    bool IsBot,
    string FirstName,
    string Username,
    bool CanJoinGroups,
    bool CanReadAllGroupMessages,
    bool SupportsInlineQueries)
{
    public static BotUser Sandbox(long botId) => new(botId, true, "Ada Sandbox", "ada_sandbox_bot", true, false, false);
}

public sealed record BotChat(long Id, string FirstName, string Type);

/// <summary>Date is in Unix seconds, as Telegram sends it.</summary>
public sealed record BotMessage(int MessageId, BotUser From, BotChat Chat, long Date, string Text);
