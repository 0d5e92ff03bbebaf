using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox;

public sealed record ChatStateRequest(string? State);

/// <summary>A missing field leaves that limit unchanged; 0 turns it off.</summary>
public sealed record LimitsRequest(int? MessagesPerSecond, int? PerChatPerSecond);

/// <summary>ForSeconds, when given, reverts the mode to none after that long.</summary>
public sealed record FaultRequest(string? Mode, int? ForSeconds);

/// <summary>How tests reshape the sandboxed Telegram at run time: chat states, rate limits, injected faults.</summary>
public static class TelegramControlApi
{
    private static readonly Dictionary<string, ChatState> ChatStates = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ok"] = ChatState.Ok,
        ["blocked"] = ChatState.Blocked,
        ["deactivated"] = ChatState.Deactivated,
        ["not_found"] = ChatState.NotFound,
    };

    private static readonly Dictionary<string, FaultMode> FaultModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = FaultMode.None,
        ["error500"] = FaultMode.Error500,
        ["error502"] = FaultMode.Error502,
        ["timeout"] = FaultMode.Timeout,
    };

    public static RouteGroupBuilder MapTelegramControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox/telegram").WithTags("Sandbox: Telegram");

        group.MapPut("/chats/{chatId:long}", SetChatState);
        group.MapPut("/limits", SetLimits);
        group.MapPut("/fault", SetFault);

        return group;
    }

    private static Results<NoContent, ProblemHttpResult> SetChatState(long chatId, ChatStateRequest request, TelegramState telegram)
    {
        if (request.State is null || !ChatStates.TryGetValue(request.State, out var state))
        {
            return Invalid($"state must be one of {string.Join(", ", ChatStates.Keys)}; got '{request.State}'.");
        }

        telegram.SetChatState(chatId, state);
        return TypedResults.NoContent();
    }

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

    private static Results<NoContent, ProblemHttpResult> SetFault(FaultRequest request, TelegramState telegram)
    {
        if (request.Mode is null || !FaultModes.TryGetValue(request.Mode, out var mode))
        {
            return Invalid($"mode must be one of {string.Join(", ", FaultModes.Keys)}; got '{request.Mode}'.");
        }

        if (request.ForSeconds <= 0)
        {
            return Invalid($"forSeconds must be positive when given; got {request.ForSeconds}.");
        }

        telegram.SetFault(mode, request.ForSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
