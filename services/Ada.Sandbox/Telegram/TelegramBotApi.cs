using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox;

/// <summary>
/// The Telegram Bot API wire protocol at /bot{token}/{method}, close enough that the real Telegram.Bot client
/// runs against it unchanged. Only getMe and sendMessage are answered; other methods are 404 as on Telegram.
/// </summary>
public static class TelegramBotApi
{
    public const int MaxTextLength = 4096;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // Long enough that any sane client times out first, as when api.telegram.org hangs.

    private static readonly string[] ParseModes = ["Markdown", "MarkdownV2", "HTML", "None"];

    public static RouteGroupBuilder MapTelegramBotApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/bot{token}").WithTags("Telegram Bot API");

        group.MapMethods("/{method}", [HttpMethods.Get, HttpMethods.Post], HandleAsync);

        return group;
    }

    /// <summary>A bot token is '&lt;bot id&gt;:&lt;secret&gt;'.</summary>
    public static bool TryReadBotId(string token, out long botId)
    {
        botId = 0;
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && colon < token.Length - 1
            && token.AsSpan(0, colon).IndexOfAnyExceptInRange('0', '9') < 0
            && long.TryParse(token.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out botId);
    }

    private static async Task<Results<JsonHttpResult<BotApiResponse>, ContentHttpResult, EmptyHttpResult>> HandleAsync(
        string token,
        string method,
        HttpContext context,
        TelegramState state,
        IOptions<TelegramOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        state.Counters.CountRequest();

        var fault = state.Fault.Mode;
        if (fault != FaultMode.None)
        {
            state.Counters.CountError();
            return await InjectFaultAsync(fault, time, context.RequestAborted, lifetime.ApplicationStopping);
        }

        var response = await AnswerAsync(token, method, context.Request, state, options.Value);
        switch (response.ErrorCode)
        {
            case null:
                break;
            case StatusCodes.Status429TooManyRequests:
                state.Counters.CountThrottled();
                break;
            default:
                state.Counters.CountError();
                break;
        }

        return TypedResults.Json(response, Json, statusCode: response.ErrorCode ?? StatusCodes.Status200OK);
    }

    private static async Task<BotApiResponse> AnswerAsync(
        string token, string method, HttpRequest request, TelegramState state, TelegramOptions options)
    {
        var tokenAccepted = TryReadBotId(token, out var botId)
            && (string.IsNullOrEmpty(options.Token) || string.Equals(token, options.Token, StringComparison.Ordinal));
        if (!tokenAccepted)
        {
            return BotApiResponse.Error(StatusCodes.Status401Unauthorized, "Unauthorized");
        }

        var bot = BotUser.Sandbox(botId);
        if (IsMethod(method, "getMe"))
        {
            return BotApiResponse.Success(bot);
        }

        if (!IsMethod(method, "sendMessage"))
        {
            return BotApiResponse.Error(StatusCodes.Status404NotFound, "Not Found");
        }

        var parameters = await ReadParametersAsync(request);
        return parameters is null
            ? BotApiResponse.BadRequest("can't parse request parameters")
            : SendMessage(parameters, bot, state);
    }

    private static BotApiResponse SendMessage(Dictionary<string, string> parameters, BotUser bot, TelegramState state)
    {
        if (!parameters.TryGetValue("chat_id", out var rawChatId) || rawChatId.Length == 0)
        {
            return BotApiResponse.BadRequest("chat_id is empty");
        }

        // "@channelusername" is valid on Telegram, but the sandbox knows no public channels.
        if (!long.TryParse(rawChatId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chatId))
        {
            return BotApiResponse.BadRequest("chat not found");
        }

        // Telegram trims the text before checking it, so whitespace alone counts as empty.
        if (!parameters.TryGetValue("text", out var text) || string.IsNullOrWhiteSpace(text))
        {
            return BotApiResponse.BadRequest("message text is empty");
        }

        if (text.Length > MaxTextLength)
        {
            return BotApiResponse.BadRequest("message is too long");
        }

        if (parameters.TryGetValue("parse_mode", out var parseMode)
            && parseMode.Length > 0
            && !ParseModes.Contains(parseMode, StringComparer.OrdinalIgnoreCase))
        {
            return BotApiResponse.BadRequest("unsupported parse_mode");
        }

        switch (state.GetChatState(chatId))
        {
            case ChatState.Blocked:
                return BotApiResponse.Forbidden("bot was blocked by the user");
            case ChatState.Deactivated:
                return BotApiResponse.Forbidden("user is deactivated");
            case ChatState.NotFound:
                return BotApiResponse.BadRequest("chat not found");
        }

        var (message, retryAfter) = state.TrySend(chatId, text);
        if (message is null)
        {
            return BotApiResponse.TooManyRequests(retryAfter);
        }

        state.Counters.CountSent();
        var chat = new BotChat(chatId, $"User {chatId}", "private");
        return BotApiResponse.Success(
            new BotMessage((int)message.MessageId, bot, chat, message.ReceivedAt.ToUnixTimeSeconds(), message.Text));
    }

    /// <summary>
    /// Telegram takes parameters from the query string and from a JSON, urlencoded or multipart body alike;
    /// null means the body could not be read.
    /// </summary>
    private static async Task<Dictionary<string, string>?> ReadParametersAsync(HttpRequest request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
        {
            parameters[name] = value.ToString();
        }

        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                foreach (var (name, value) in form)
                {
                    parameters[name] = value.ToString();
                }
            }
            else if (request.HasJsonContentType() && request.ContentLength != 0)
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                if (body.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                foreach (var property in body.RootElement.EnumerateObject())
                {
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.Null:
                            break;
                        case JsonValueKind.String:
                            parameters[property.Name] = property.Value.GetString()!;
                            break;
                        default:
                            parameters[property.Name] = property.Value.GetRawText();
                            break;
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return null;
        }

        return parameters;
    }

    private static bool IsMethod(string method, string name) => string.Equals(method, name, StringComparison.OrdinalIgnoreCase);

    private static async Task<Results<JsonHttpResult<BotApiResponse>, ContentHttpResult, EmptyHttpResult>> InjectFaultAsync(
        FaultMode fault, TimeProvider time, CancellationToken requestAborted, CancellationToken stopping)
    {
        switch (fault)
        {
            case FaultMode.Error500:
                return TypedResults.Json(
                    BotApiResponse.Error(StatusCodes.Status500InternalServerError, "Internal Server Error"),
                    Json,
                    statusCode: StatusCodes.Status500InternalServerError);
            case FaultMode.Error502:
                return TypedResults.Content(ProxyFaults.ErrorPage("502 Bad Gateway"), "text/html", statusCode: StatusCodes.Status502BadGateway);
        }

        return await ProxyFaults.HangAsync(time, requestAborted, stopping) is { } page ? page : TypedResults.Empty;
    }

}
