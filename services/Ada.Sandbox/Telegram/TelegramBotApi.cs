using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Telegram;

/// <summary>
/// The Telegram Bot API wire protocol at /bot{token}/{method}, close enough that the real Telegram.Bot client
/// runs against it unchanged. Answers the methods a bot like Ada's uses; any other method is 404 as on Telegram.
/// </summary>
public static class TelegramBotApi
{
    public const int MaxTextLength = 4096;
    public const int MaxCallbackAnswerLength = 200;
    public const int MaxCallbackDataBytes = 64;
    public const int MaxCommands = 100;
    public const int MaxCommandDescriptionLength = 256;

    public const string NotModified =
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

    public const string QueryInvalid = "query is too old and response timeout expired or query ID is invalid";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Telegram writes UTF-8 as is and escapes only what JSON requires (never ' or Cyrillic); this is JSON, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] ParseModes = ["Markdown", "MarkdownV2", "HTML", "None"];

    private static readonly Regex CommandName = new("^[a-z0-9_]{1,32}$", RegexOptions.CultureInvariant);
    private static readonly Regex LanguageCode = new("^[a-z]{2}$", RegexOptions.CultureInvariant);
    private static readonly Regex SecretToken = new("^[A-Za-z0-9_-]{1,256}$", RegexOptions.CultureInvariant);

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

    /// <summary>A chat's message as the Bot API shows it: sent by the bot, or typed by the chat's person.</summary>
    public static BotMessage ToBotMessage(ChatEntry entry, long chatId, SandboxUser? user, BotUser bot) => new(
        entry.MessageId,
        entry.FromBot || user is null ? bot : BotUser.Person(user),
        BotChat.Private(chatId, user),
        entry.Date.ToUnixTimeSeconds(),
        entry.Text,
        entry.EditedAt?.ToUnixTimeSeconds(),
        entry.Entities,
        entry.ReplyMarkup);

    private static async Task<Results<JsonHttpResult<BotApiResponse>, ContentHttpResult, EmptyHttpResult>> HandleAsync(
        string token,
        string method,
        HttpContext context,
        TelegramState state,
        TelegramUpdates updates,
        IOptions<TelegramOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        state.Counters.Requests.Add();

        var fault = state.Fault.Take();
        if (fault != FaultMode.None)
        {
            state.Counters.Errors.Add();
            return await InjectFaultAsync(fault, time, context.RequestAborted, lifetime.ApplicationStopping);
        }

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var response = await AnswerAsync(token, method, context.Request, state, updates, options.Value, aborted.Token);
        switch (response.ErrorCode)
        {
            case null:
                break;
            case StatusCodes.Status429TooManyRequests:
                state.Counters.Throttled.Add();
                break;
            default:
                state.Counters.Errors.Add();
                break;
        }

        return TypedResults.Json(response, Json, statusCode: response.ErrorCode ?? StatusCodes.Status200OK);
    }

    private static async Task<BotApiResponse> AnswerAsync(
        string token,
        string method,
        HttpRequest request,
        TelegramState state,
        TelegramUpdates updates,
        TelegramOptions options,
        CancellationToken aborted)
    {
        var tokenAccepted = TryReadBotId(token, out var botId)
            && (string.IsNullOrEmpty(options.Token) || string.Equals(token, options.Token, StringComparison.Ordinal));
        if (!tokenAccepted)
        {
            return BotApiResponse.Error(StatusCodes.Status401Unauthorized, "Unauthorized");
        }

        state.SeenBot(botId);
        var known = method.ToUpperInvariant() switch
        {
            "GETME" or "GETUPDATES" or "SETWEBHOOK" or "DELETEWEBHOOK" or "GETWEBHOOKINFO" or "SENDMESSAGE"
                or "EDITMESSAGETEXT" or "ANSWERCALLBACKQUERY" or "SETMYCOMMANDS" or "GETMYCOMMANDS" or "DELETEMYCOMMANDS" => true,
            _ => false,
        };
        if (!known)
        {
            return BotApiResponse.Error(StatusCodes.Status404NotFound, "Not Found");
        }

        if (await ReadParametersAsync(request) is not { } values)
        {
            return BotApiResponse.BadRequest("can't parse request parameters");
        }

        var parameters = new Parameters(values);
        return method.ToUpperInvariant() switch
        {
            "GETME" => BotApiResponse.Success(BotUser.Me(botId, state.BotUsername)),
            "GETUPDATES" => await GetUpdatesAsync(parameters, updates, aborted),
            "SETWEBHOOK" => SetWebhook(parameters, updates),
            "DELETEWEBHOOK" => BotApiResponse.Success(
                true, updates.SetWebhook(null, null, parameters.Flag("drop_pending_updates"))),
            "GETWEBHOOKINFO" => BotApiResponse.Success(updates.GetWebhookInfo()),
            "SENDMESSAGE" => SendMessage(parameters, state),
            "EDITMESSAGETEXT" => EditMessageText(parameters, state),
            "ANSWERCALLBACKQUERY" => AnswerCallbackQuery(parameters, state),
            "SETMYCOMMANDS" => SetMyCommands(parameters, state.Commands),
            "GETMYCOMMANDS" => ReadCommandScope(parameters, out var scope, out var language) is { } invalid
                ? invalid
                : BotApiResponse.Success(state.Commands.Get(scope, language)),
            _ => DeleteMyCommands(parameters, state.Commands),
        };
    }

    private static async Task<BotApiResponse> GetUpdatesAsync(Parameters parameters, TelegramUpdates updates, CancellationToken aborted)
    {
        if (ReadUpdateTypes(parameters, out var allowedUpdates) is { } invalid)
        {
            return invalid;
        }

        var offset = parameters.Int("offset");
        var limit = Math.Clamp(parameters.Int("limit") ?? 100, 1, 100);
        var timeout = Math.Max(0, parameters.Int("timeout") ?? 0);
        return await updates.GetUpdatesAsync(offset, limit, timeout, allowedUpdates, aborted);
    }

    /// <summary>Telegram wants HTTPS on 443, 80, 88 or 8443; the sandbox takes any http(s) URL so a local Ada can be called.</summary>
    private static BotApiResponse SetWebhook(Parameters parameters, TelegramUpdates updates)
    {
        if (ReadUpdateTypes(parameters, out var allowedUpdates) is { } invalid)
        {
            return invalid;
        }

        var url = parameters.String("url") ?? "";
        var drop = parameters.Flag("drop_pending_updates");
        if (url.Length == 0)
        {
            return BotApiResponse.Success(true, updates.SetWebhook(null, allowedUpdates, drop));
        }

        if (!HttpUrls.TryParse(url, out var uri))
        {
            return BotApiResponse.BadRequest("bad webhook: An HTTPS URL must be provided for webhook");
        }

        var secret = parameters.String("secret_token");
        if (!string.IsNullOrEmpty(secret) && !SecretToken.IsMatch(secret))
        {
            return BotApiResponse.BadRequest("secret token contains unallowed characters");
        }

        var maxConnections = Math.Clamp(parameters.Int("max_connections") ?? 40, 1, 100);
        var settings = new WebhookSettings(uri, string.IsNullOrEmpty(secret) ? null : secret, maxConnections);
        return BotApiResponse.Success(true, updates.SetWebhook(settings, allowedUpdates, drop));
    }

    private static BotApiResponse SendMessage(Parameters parameters, TelegramState state)
    {
        if (ReadChatAndText(parameters, state, out var chatId, out var text) is { } invalid)
        {
            return invalid;
        }

        if (ReadReplyMarkup(parameters, out var replyMarkup) is { } badMarkup)
        {
            return badMarkup;
        }

        var (entry, _, retryAfter) = state.TrySend(chatId, text, replyMarkup);
        if (entry is null)
        {
            return BotApiResponse.TooManyRequests(retryAfter);
        }

        state.Counters.Sent.Add();
        return BotApiResponse.Success(ToBotMessage(entry, chatId, state.GetUser(chatId), state.Bot));
    }

    private static BotApiResponse EditMessageText(Parameters parameters, TelegramState state)
    {
        // Messages sent via inline mode are not emulated, so an inline_message_id never names one.
        if (parameters.String("chat_id") is null && parameters.String("inline_message_id") is not null)
        {
            return BotApiResponse.BadRequest("message to edit not found");
        }

        if (ReadChatAndText(parameters, state, out var chatId, out var text) is { } invalid)
        {
            return invalid;
        }

        if (parameters.Int("message_id") is not { } messageId)
        {
            return BotApiResponse.BadRequest("message identifier is not specified");
        }

        if (ReadReplyMarkup(parameters, out var replyMarkup) is { } badMarkup)
        {
            return badMarkup;
        }

        var (outcome, entry) = state.Edit(chatId, messageId, text, replyMarkup);
        return outcome switch
        {
            EditOutcome.Edited => BotApiResponse.Success(ToBotMessage(entry!, chatId, state.GetUser(chatId), state.Bot)),
            EditOutcome.NotModified => BotApiResponse.BadRequest(NotModified),
            EditOutcome.NotTheBots => BotApiResponse.BadRequest("message can't be edited"),
            _ => BotApiResponse.BadRequest("message to edit not found"),
        };
    }

    private static BotApiResponse AnswerCallbackQuery(Parameters parameters, TelegramState state)
    {
        var text = parameters.String("text");
        if (text?.Length > MaxCallbackAnswerLength)
        {
            return BotApiResponse.BadRequest("MESSAGE_TOO_LONG");
        }

        var answered = parameters.String("callback_query_id") is { } id
            && state.TryAnswer(id, string.IsNullOrEmpty(text) ? null : text, parameters.Flag("show_alert"), parameters.String("url"));
        return answered ? BotApiResponse.True : BotApiResponse.BadRequest(QueryInvalid);
    }

    private static BotApiResponse SetMyCommands(Parameters parameters, TelegramCommands commands)
    {
        if (ReadCommandScope(parameters, out var scope, out var language) is { } invalid)
        {
            return invalid;
        }

        if (parameters.Json("commands") is not { ValueKind: JsonValueKind.Array } list)
        {
            return BotApiResponse.BadRequest("can't parse commands JSON object");
        }

        if (list.GetArrayLength() > MaxCommands)
        {
            return BotApiResponse.BadRequest("too many commands specified");
        }

        var parsed = new List<BotCommandEntry>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("command", out var command) || command.ValueKind != JsonValueKind.String)
            {
                return BotApiResponse.BadRequest("can't parse BotCommand: Can't find field \"command\"");
            }

            if (!item.TryGetProperty("description", out var description) || description.ValueKind != JsonValueKind.String)
            {
                return BotApiResponse.BadRequest("can't parse BotCommand: Can't find field \"description\"");
            }

            if (!CommandName.IsMatch(command.GetString()!))
            {
                return BotApiResponse.BadRequest("BOT_COMMAND_INVALID");
            }

            var text = description.GetString()!.Trim();
            if (text.Length == 0)
            {
                return BotApiResponse.BadRequest("command description must be non-empty");
            }

            if (text.Length > MaxCommandDescriptionLength)
            {
                return BotApiResponse.BadRequest("command description is too long");
            }

            parsed.Add(new BotCommandEntry(command.GetString()!, text));
        }

        commands.Set(scope, language, parsed);
        return BotApiResponse.True;
    }

    private static BotApiResponse DeleteMyCommands(Parameters parameters, TelegramCommands commands)
    {
        if (ReadCommandScope(parameters, out var scope, out var language) is { } invalid)
        {
            return invalid;
        }

        commands.Set(scope, language, []);
        return BotApiResponse.True;
    }

    /// <summary>A missing scope is the default one; a missing language_code is "" (every language without its own list).</summary>
    private static BotApiResponse? ReadCommandScope(Parameters parameters, out CommandScope scope, out string language)
    {
        scope = CommandScope.Default;
        language = parameters.String("language_code") ?? "";
        if (language.Length > 0 && !LanguageCode.IsMatch(language))
        {
            return BotApiResponse.BadRequest("invalid language code specified");
        }

        if (parameters.String("scope") is null)
        {
            return null;
        }

        if (parameters.Json("scope") is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty("type", out var type)
            || type.ValueKind != JsonValueKind.String
            || !CommandScope.Types.Contains(type.GetString()))
        {
            return BotApiResponse.BadRequest("can't parse BotCommandScope JSON object");
        }

        var chatId = json.TryGetProperty("chat_id", out var chat) && chat.ValueKind == JsonValueKind.Number && chat.TryGetInt64(out var id)
            ? id
            : (long?)null;
        var userId = json.TryGetProperty("user_id", out var user) && user.ValueKind == JsonValueKind.Number && user.TryGetInt64(out var uid)
            ? uid
            : (long?)null;
        scope = new CommandScope(type.GetString()!, chatId, userId);
        var needsChat = scope.Type is "chat" or "chat_administrators" or "chat_member";
        if ((needsChat && chatId is null) || (scope.Type == "chat_member" && userId is null))
        {
            return BotApiResponse.BadRequest("chat not found");
        }

        scope = needsChat ? scope : new CommandScope(scope.Type);
        return null;
    }

    /// <summary>Null when the parameter is absent (keep the previous setting); empty means the default set.</summary>
    private static BotApiResponse? ReadUpdateTypes(Parameters parameters, out IReadOnlyList<string>? types)
    {
        types = null;
        if (parameters.String("allowed_updates") is null)
        {
            return null;
        }

        if (parameters.Json("allowed_updates") is not { ValueKind: JsonValueKind.Array } list
            || list.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            return BotApiResponse.BadRequest("can't parse allowed updates JSON array");
        }

        types = [.. list.EnumerateArray().Select(item => item.GetString()!)];
        return null;
    }

    /// <summary>The checks sendMessage and editMessageText share, in Telegram's order.</summary>
    private static BotApiResponse? ReadChatAndText(Parameters parameters, TelegramState state, out long chatId, out string text)
    {
        chatId = 0;
        text = parameters.String("text") ?? "";
        if (parameters.String("chat_id") is not { Length: > 0 } rawChatId)
        {
            return BotApiResponse.BadRequest("chat_id is empty");
        }

        // "@channelusername" is valid on Telegram, but the sandbox knows no public channels.
        if (!long.TryParse(rawChatId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out chatId))
        {
            return BotApiResponse.BadRequest("chat not found");
        }

        // Telegram trims the text before checking it, so whitespace alone counts as empty.
        if (string.IsNullOrWhiteSpace(text))
        {
            return BotApiResponse.BadRequest("message text is empty");
        }

        if (text.Length > MaxTextLength)
        {
            return BotApiResponse.BadRequest("message is too long");
        }

        if (parameters.String("parse_mode") is { Length: > 0 } parseMode
            && !ParseModes.Contains(parseMode, StringComparer.OrdinalIgnoreCase))
        {
            return BotApiResponse.BadRequest("unsupported parse_mode");
        }

        return state.GetChatState(chatId) switch
        {
            ChatState.Blocked => BotApiResponse.Forbidden("bot was blocked by the user"),
            ChatState.Deactivated => BotApiResponse.Forbidden("user is deactivated"),
            ChatState.NotFound => BotApiResponse.BadRequest("chat not found"),
            _ => null,
        };
    }

    /// <summary>
    /// Keeps an inline keyboard (checked as Telegram checks it); reply keyboards and their removal are accepted and,
    /// as on Telegram, not part of the message the bot gets back.
    /// </summary>
    private static BotApiResponse? ReadReplyMarkup(Parameters parameters, out JsonElement? inlineKeyboard)
    {
        inlineKeyboard = null;
        if (parameters.String("reply_markup") is null)
        {
            return null;
        }

        if (parameters.Json("reply_markup") is not { ValueKind: JsonValueKind.Object } markup)
        {
            return BotApiResponse.BadRequest("can't parse reply keyboard markup JSON object");
        }

        if (!markup.TryGetProperty("inline_keyboard", out var rows))
        {
            var other = markup.TryGetProperty("keyboard", out _) || markup.TryGetProperty("remove_keyboard", out _)
                || markup.TryGetProperty("force_reply", out _);
            return other ? null : BotApiResponse.BadRequest("can't parse reply keyboard markup JSON object");
        }

        if (rows.ValueKind != JsonValueKind.Array || rows.EnumerateArray().Any(row => row.ValueKind != JsonValueKind.Array))
        {
            return BotApiResponse.BadRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        }

        foreach (var button in rows.EnumerateArray().SelectMany(row => row.EnumerateArray()))
        {
            if (button.ValueKind != JsonValueKind.Object)
            {
                return BotApiResponse.BadRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
            }

            if (!button.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                return BotApiResponse.BadRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
            }

            if (button.TryGetProperty("callback_data", out var data))
            {
                var bytes = data.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetByteCount(data.GetString()!) : 0;
                if (bytes is 0 or > MaxCallbackDataBytes)
                {
                    return BotApiResponse.BadRequest("BUTTON_DATA_INVALID");
                }
            }
            else if (button.TryGetProperty("url", out var url)
                && (url.ValueKind != JsonValueKind.String
                    || !(Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "tg")))
            {
                return BotApiResponse.BadRequest("BUTTON_URL_INVALID");
            }
            else if (!button.EnumerateObject().Any(property => property.Name != "text"))
            {
                return BotApiResponse.BadRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
            }
        }

        inlineKeyboard = JsonSerializer.SerializeToElement(new { inline_keyboard = rows });
        return null;
    }

    /// <summary>Values as sent: strings as they are, any other JSON value as its JSON text (Telegram reads those alike).</summary>
    private sealed class Parameters(Dictionary<string, string> values)
    {
        public string? String(string name) => values.TryGetValue(name, out var value) ? value : null;

        public int? Int(string name) =>
            String(name) is { } value && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? number
                : null;

        public bool Flag(string name) => String(name) is "true" or "True" or "1";

        /// <summary>A JSON-serialized parameter (reply_markup, commands, scope, allowed_updates); null when it does not parse.</summary>
        public JsonElement? Json(string name)
        {
            if (String(name) is not { } value)
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(value);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null;
            }
        }
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
