using System.Text.Json.Serialization;

namespace Ada.Sandbox.Vk;

// VK's own shapes, serialized snake_case (VkApi.Json) exactly as api.vk.com sends them; checked against
// VKCOM/vk-api-schema 5.199 (base_error, base_request_param, base_message_error,
// messages_send_user_ids_response_item) and captured real answers.

/// <summary>
/// Every answer of /method/*, always with HTTP 200: response on success, error otherwise; execute_errors sits
/// next to response when some calls of an execute failed.
/// </summary>
public sealed record VkEnvelope(object? Response = null, VkError? Error = null, IReadOnlyList<VkExecuteError>? ExecuteErrors = null)
{
    public static VkEnvelope Success(object response, IReadOnlyList<VkExecuteError>? executeErrors = null) =>
        new(response, ExecuteErrors: executeErrors);

    public static VkEnvelope Failure(VkFailure failure, IReadOnlyList<VkRequestParam> requestParams) =>
        new(Error: new VkError(failure.Code, failure.Message, requestParams));
}

public sealed record VkError(int ErrorCode, string ErrorMsg, IReadOnlyList<VkRequestParam> RequestParams);

public sealed record VkRequestParam(string Key, string Value);

/// <summary>One failed API call inside an execute; its place in response holds false.</summary>
public sealed record VkExecuteError(string Method, int ErrorCode, string ErrorMsg);

/// <summary>
/// One recipient of messages.send with peer_ids. VK leaves message_id out when error is present
/// (VKCOM/vk-api-schema#208), so both are optional here.
/// </summary>
public sealed record VkSendItem(long PeerId, long? MessageId, long? ConversationMessageId, VkMessageError? Error);

/// <summary>base_message_error: note code/description here, not error_code/error_msg.</summary>
public sealed record VkMessageError(int Code, string Description);

/// <summary>A VK API error as VK words it: error_code and error_msg.</summary>
public sealed record VkFailure(int Code, string Message)
{
    public VkMessageError ToMessageError() => new(Code, Message);

    public VkExecuteError ToExecuteError(string method) => new(method, Code, Message);
}

/// <summary>The error codes and texts the stand-in answers with (codes from VKCOM/vk-api-schema errors.json).</summary>
public static class VkErrors
{
    public static readonly VkFailure UnknownMethod = new(3, "Unknown method passed");

    public static readonly VkFailure NoAccessToken = new(5, "User authorization failed: no access_token passed.");

    public static readonly VkFailure InvalidAccessToken = new(5, "User authorization failed: invalid access_token (4).");

    public static readonly VkFailure TooManyRequests = new(6, "Too many requests per second");

    public static readonly VkFailure VersionRequired = new(8, "Invalid request: v (version) is required");

    public static readonly VkFailure VersionDeprecated = new(
        8,
        """Invalid request: versions below 5.81 are deprecated. Version param should be passed as "v". "version" param is invalid and not supported. For more information go to https://vk.com/dev/constant_version_updates""");

    public static readonly VkFailure InternalServerError = new(10, "Internal server error");

    public static readonly VkFailure TooManyApiCalls = new(13, "Runtime error occurred during code invocation: Too many API calls");

    public static readonly VkFailure UserDeleted = new(18, "User was deleted or banned");

    public static readonly VkFailure Blacklisted = new(900, "Can't send messages for users from blacklist");

    public static readonly VkFailure NotAllowed = new(901, "Can't send messages for users without permission");

    public static readonly VkFailure Privacy = new(902, "Can't send messages to this user due to their privacy settings");

    public static readonly VkFailure MessageTooLong = new(914, "Message is too long");

    public static readonly VkFailure UserDeactivated = new(3610, "User is deactivated");

    public static VkFailure CannotCompile(string detail) => new(12, $"Unable to compile code: {detail}");

    public static VkFailure InvalidParameter(string detail) =>
        new(100, $"One of the parameters specified was missing or invalid: {detail}");

    /// <summary>Why a send to a peer in this state fails; null when it goes through.</summary>
    public static VkFailure? ForPeerState(VkPeerState state) => state switch
    {
        VkPeerState.NotAllowed => NotAllowed,
        VkPeerState.Blacklisted => Blacklisted,
        VkPeerState.Privacy => Privacy,
        VkPeerState.Deleted => UserDeleted,
        VkPeerState.Deactivated => UserDeactivated,
        _ => null,
    };
}

/// <summary>A Callback API notification as VK POSTs it to the configured server.</summary>
public sealed record VkCallbackEvent(
    long GroupId,
    string Type,
    string EventId,
    string V,
    [property: JsonPropertyName("object")] object EventObject,
    string? Secret);

public sealed record VkMessageAllowObject(long UserId, string Key);

public sealed record VkMessageDenyObject(long UserId);

public sealed record VkMessageNewObject(VkIncomingMessage Message, VkClientInfo ClientInfo);

/// <summary>messages_message as a message_new event carries it; date is in Unix seconds.</summary>
public sealed record VkIncomingMessage(
    long Date,
    long FromId,
    long Id,
    int Out,
    IReadOnlyList<object> Attachments,
    long ConversationMessageId,
    IReadOnlyList<object> FwdMessages,
    bool Important,
    bool IsHidden,
    long PeerId,
    long RandomId,
    string Text);

/// <summary>client_info_for_bots: what the user's app can show, here a current official client.</summary>
public sealed record VkClientInfo(IReadOnlyList<string> ButtonActions, bool Keyboard, bool InlineKeyboard, bool Carousel, int LangId)
{
    public static readonly VkClientInfo Default = new(
        ["text", "vkpay", "open_app", "location", "open_link", "callback", "intent_subscribe", "intent_unsubscribe"],
        Keyboard: true,
        InlineKeyboard: true,
        Carousel: true,
        LangId: 0);
}
