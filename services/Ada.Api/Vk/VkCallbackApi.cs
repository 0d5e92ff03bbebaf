using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Vk;

/// <summary>
/// <c>POST /v1/vk/callback</c>: VK's Callback API. VK may write to a person only after they allowed it, so
/// the API follows <c>message_allow</c>/<c>message_deny</c> into the directory, and links a VK account to
/// an Ada user when its owner sends the community a link code. Authenticated by the <c>secret</c> field,
/// not a bearer token. Every event Ada does not act on is still answered <c>ok</c>: VK stops sending after
/// several other answers in a row.
/// </summary>
public static partial class VkCallbackApi
{
    public const string NotConfigured = "VK callback is not configured (set Vk__Secret and Vk__Confirmation).";

    public static RouteGroupBuilder MapVkCallback(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapWebhookGroup("/v1/vk", "VK");

        group.MapPost("/callback", Callback).WithName("VkCallback")
            .WithSummary("VK Callback API events (authenticated by 'secret', not a bearer token)")
            .WithDescription("confirmation → the configured string; message_allow / message_deny → the sender's VK contact " +
                "becomes active / inactive; message_new with a link code → the sender's VK id becomes the code's user's contact. " +
                "Every other event, and a repeated event_id, is answered 'ok' and changes nothing.")
            .Accepts<VkEvent>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        return group;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Callback(
        HttpRequest request, IOptions<VkOptions> options, VkDirectory vk, AttemptLimiter attempts, WebhookOnce once, ILoggerFactory loggers)
    {
        var settings = options.Value;
        if (!settings.CallbackConfigured)
        {
            return Problems.Forbidden(NotConfigured);
        }
        var (e, problem) = await ReadAsync(request);
        if (problem is not null)
        {
            return problem;
        }
        var logger = loggers.CreateLogger(typeof(VkCallbackApi));
        var isConfirmation = e!.Type == "confirmation";
        // The secret and the group are checked before anything the request says is acted on or logged. VK sends
        // the secret with every event; a confirmation may come without one (the server is not set up yet).
        if (!(isConfirmation && e.Secret is null) && !Webhooks.SameSecret(e.Secret, settings.Secret!))
        {
            RefusalLog.VkCallback.Log(logger, "the secret does not match Vk__Secret");
            return Problems.Forbidden("The event's 'secret' does not match Vk__Secret.");
        }
        if (settings.GroupId is { } groupId && e.GroupId != groupId)
        {
            RefusalLog.VkCallback.Log(logger, "it names another community than Vk__GroupId");
            return Problems.Forbidden($"This API serves VK community {groupId}, not {e.GroupId?.ToString(CultureInfo.InvariantCulture) ?? "(no group_id)"}.");
        }
        if (string.IsNullOrEmpty(e.Type))
        {
            return Problems.BadRequest("'type' is required: the VK event type, e.g. \"message_new\".");
        }
        if (e.EventId is not null && !EventId().IsMatch(e.EventId))
        {
            return Problems.BadRequest($"'event_id' {Validation.Echo(e.EventId)} is not a VK event id (1-128 letters, digits, '_' or '-').");
        }
        switch (e.Type)
        {
            case "confirmation":
                logger.LogInformation("Answered VK's confirmation request for group {GroupId}", e.GroupId);
                return TypedResults.Text(settings.Confirmation, "text/plain; charset=utf-8");
            case "message_allow" or "message_deny":
                if (ReadUserId(e.Payload, "user_id") is not { } vkId)
                {
                    return Problems.BadRequest($"'object.user_id' of a {e.Type} event must be a positive integer VK user id.");
                }
                var allow = e.Type == "message_allow";
                return await OnceAsync(once, e, logger, async () =>
                    LogPermission(logger, e, vkId, allow ? await vk.AllowAsync(vkId) : await vk.DenyAsync(vkId)));
            case "message_new":
                if (ReadMessage(e.Payload) is not { } message)
                {
                    return Problems.BadRequest("'object.message.from_id' of a message_new event must be a positive integer VK user id " +
                        "(the object shape of VK API 5.103 and later).");
                }
                return await OnceAsync(once, e, logger, () => LinkAsync(vk, attempts, logger, message));
            default:
                logger.LogDebug("Acknowledged a VK {Type} event; Ada does not act on it", e.Type);
                return Ok;
        }
    }

    /// <summary>VK resends an event it got no 'ok' for within minutes; a day is ample.</summary>
    private static readonly TimeSpan EventMemory = TimeSpan.FromDays(1);

    /// <summary>Acts on an event unless its <c>event_id</c> was handled already (<see cref="WebhookOnce"/>); answers <c>ok</c> either way.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> OnceAsync(
        WebhookOnce once, VkEvent e, ILogger logger, Func<Task> act)
    {
        if (e.EventId is null)
        {
            await act();
            return Ok;
        }
        switch (await once.RunAsync(Keys.VkEvent(e.EventId), EventMemory, act))
        {
            case OnceTurn.Busy:
                // Not 'ok': VK sends the event again, by when the other instance has finished (or its claim lapsed).
                return Problems.Conflict($"VK event {Validation.Echo(e.EventId)} is being handled right now; VK will resend it.");
            case OnceTurn.Done:
                logger.LogInformation("Ignored VK event {EventId} ({Type}): already handled", e.EventId, e.Type);
                return Ok;
            default:
                return Ok;
        }
    }

    private static ContentHttpResult Ok => TypedResults.Text("ok", "text/plain; charset=utf-8");

    private static void LogPermission(ILogger logger, VkEvent e, string vkId, string? userId)
    {
        if (userId is null)
        {
            logger.LogInformation("VK {Type} from {VkId}, whom no user has; remembered", e.Type, vkId);
        }
        else
        {
            logger.LogInformation("VK {Type} from {VkId}: the VK contact of {UserId} follows it", e.Type, vkId, userId);
        }
    }

    /// <summary>
    /// Tries the code-shaped words of a private message. Each one that is no active code counts as a failed
    /// attempt of this VK id (<see cref="AttemptLimiter"/>, kind <c>vk</c>); a blocked VK id links nothing.
    /// </summary>
    private static async Task LinkAsync(VkDirectory vk, AttemptLimiter attempts, ILogger logger, (string FromId, string? Text) message)
    {
        var codes = LinkCodes.Find(message.Text);
        if (codes.Count == 0)
        {
            return;
        }
        if (await attempts.IsBlockedAsync(AttemptKind, message.FromId))
        {
            logger.LogDebug("Ignored a link code from VK id {VkId}: too many wrong codes", message.FromId);
            return;
        }
        foreach (var code in codes)
        {
            var result = await vk.LinkAsync(code, message.FromId);
            switch (result.Outcome)
            {
                case LinkOutcome.Linked:
                    logger.LogInformation("Linked VK id {VkId} to {UserId} by a link code", message.FromId, result.UserId);
                    await attempts.ResetAsync(AttemptKind, message.FromId);
                    return;
                case LinkOutcome.Moved:
                    logger.LogWarning("Linked VK id {VkId} to {UserId} by a link code; it was the VK contact of {PreviousOwner}, who lost it",
                        message.FromId, result.UserId, result.PreviousOwner);
                    await attempts.ResetAsync(AttemptKind, message.FromId);
                    return;
                default:
                    if (await attempts.RecordFailureAsync(AttemptKind, message.FromId))
                    {
                        return;
                    }
                    break;
            }
        }
    }

    /// <summary>The <see cref="AttemptLimiter"/> kind of link codes sent to the VK community.</summary>
    public const string AttemptKind = "vk";

    /// <summary>The body as JSON whatever its Content-Type (VK's is its own business), or a 400 problem.</summary>
    private static async Task<(VkEvent? Event, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request)
    {
        try
        {
            var e = await JsonSerializer.DeserializeAsync<VkEvent>(request.Body, AdaJson.Options, request.HttpContext.RequestAborted);
            return e is null ? (null, Problems.BadRequest("The body is null; expected a VK event object.")) : (e, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest(JsonErrors.Describe(ex, typeof(VkEvent))));
        }
        catch (InvalidOperationException ex)
        {
            return (null, Problems.BadRequest($"The body is not valid JSON text: {ex.Message}"));
        }
    }

    /// <summary>
    /// A private message's sender and text. From API 5.103 the object is <c>{"message":{…},"client_info":{…}}</c>;
    /// before, the message itself. Null when it has no positive <c>from_id</c>. A message in a group chat
    /// (peer_id ≠ from_id) gives no text: writing there does not open a private dialog.
    /// </summary>
    private static (string FromId, string? Text)? ReadMessage(JsonElement? obj)
    {
        if (obj is not { ValueKind: JsonValueKind.Object } o)
        {
            return null;
        }
        var message = o.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : o;
        if (ReadUserId(message, "from_id") is not { } from)
        {
            return null;
        }
        var peer = ReadUserId(message, "peer_id");
        var text = message.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return (from, peer is null || peer == from ? text : null);
    }

    /// <summary>A positive VK user id (number or numeric string) in canonical form; null otherwise.</summary>
    private static string? ReadUserId(JsonElement? obj, string name)
    {
        if (obj is not { ValueKind: JsonValueKind.Object } o || !o.TryGetProperty(name, out var value))
        {
            return null;
        }
        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString(),
            _ => null,
        };
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id.ToString(CultureInfo.InvariantCulture)
            : null;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex EventId();
}
