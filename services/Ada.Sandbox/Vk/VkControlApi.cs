using Microsoft.AspNetCore.Http.HttpResults;
using static Ada.Sandbox.ControlProblems;

namespace Ada.Sandbox.Vk;

public sealed record VkPeerStateRequest(string? State);

/// <summary>A missing field leaves the limit unchanged; 0 turns it off.</summary>
public sealed record VkLimitsRequest(int? RequestsPerSecond);

/// <summary>ForSeconds, when given, reverts the mode to none after that long.</summary>
public sealed record VkFaultRequest(string? Mode, int? ForSeconds);

/// <summary>Key is what the allow button passed to messages.allowMessagesFromGroup; empty when not given.</summary>
public sealed record VkAllowRequest(string? Key);

public sealed record VkWriteRequest(string? Text);

/// <summary>The user's state afterwards; MessageId for a written message; Callback null when no CallbackUrl is set.</summary>
public sealed record VkUserEventResult(long UserId, string State, long? MessageId, VkCallbackDelivery? Callback);

/// <summary>
/// How tests and the local demo reshape the sandboxed VK at run time: peer states, the rate limit, injected faults,
/// and users who allow, deny or write to the community (sent on as Callback API events).
/// </summary>
public static class VkControlApi
{
    public static RouteGroupBuilder MapVkControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox/vk").WithTags("Sandbox: VK");

        group.MapPut("/peers/{peerId:long}", SetPeerState);
        group.MapPut("/limits", SetLimits);
        group.MapPut("/fault", SetFault);
        group.MapPost("/users/{userId:long}/allow", AllowAsync);
        group.MapPost("/users/{userId:long}/deny", DenyAsync);
        group.MapPost("/users/{userId:long}/write", WriteAsync);

        return group;
    }

    private static Results<NoContent, ProblemHttpResult> SetPeerState(long peerId, VkPeerStateRequest request, VkState vk) =>
        ControlNames.Put<VkPeerState>("state", request.State, state => vk.SetPeerState(peerId, state));

    private static Results<Ok<VkLimits>, ProblemHttpResult> SetLimits(VkLimitsRequest request, VkState vk)
    {
        if (request.RequestsPerSecond < 0)
        {
            return Invalid($"requestsPerSecond must be 0 (unlimited) or positive; got {request.RequestsPerSecond}.");
        }

        vk.Limits = new VkLimits(request.RequestsPerSecond ?? vk.Limits.RequestsPerSecond);
        return TypedResults.Ok(vk.Limits);
    }

    private static Results<NoContent, ProblemHttpResult> SetFault(VkFaultRequest request, VkState vk) =>
        vk.Fault.Set(request.Mode, request.ForSeconds, count: null);

    private static async Task<Results<Ok<VkUserEventResult>, ProblemHttpResult>> AllowAsync(
        long userId, VkAllowRequest? request, VkState vk, VkCallbackSender callbacks, CancellationToken cancellationToken)
    {
        if (userId <= 0)
        {
            return InvalidUser(userId);
        }

        vk.SetPeerState(userId, VkPeerState.Ok);
        var callback = await callbacks.SendAsync("message_allow", new VkMessageAllowObject(userId, request?.Key ?? ""), cancellationToken);
        return TypedResults.Ok(Result(userId, vk, null, callback));
    }

    private static async Task<Results<Ok<VkUserEventResult>, ProblemHttpResult>> DenyAsync(
        long userId, VkState vk, VkCallbackSender callbacks, CancellationToken cancellationToken)
    {
        if (userId <= 0)
        {
            return InvalidUser(userId);
        }

        vk.SetPeerState(userId, VkPeerState.NotAllowed);
        var callback = await callbacks.SendAsync("message_deny", new VkMessageDenyObject(userId), cancellationToken);
        return TypedResults.Ok(Result(userId, vk, null, callback));
    }

    private static async Task<Results<Ok<VkUserEventResult>, ProblemHttpResult>> WriteAsync(
        long userId, VkWriteRequest request, VkState vk, VkCallbackSender callbacks, TimeProvider time, CancellationToken cancellationToken)
    {
        if (userId <= 0)
        {
            return InvalidUser(userId);
        }

        if (string.IsNullOrEmpty(request.Text))
        {
            return Invalid("text must not be empty.");
        }

        var received = vk.Receive(userId);
        var message = new VkIncomingMessage(
            Date: time.GetUtcNow().ToUnixTimeSeconds(),
            FromId: userId,
            Id: received.MessageId,
            Out: 0,
            Attachments: [],
            ConversationMessageId: received.ConversationMessageId,
            FwdMessages: [],
            Important: false,
            IsHidden: false,
            PeerId: userId,
            RandomId: 0,
            Text: request.Text);
        var callback = await callbacks.SendAsync("message_new", new VkMessageNewObject(message, VkClientInfo.Default), cancellationToken);
        return TypedResults.Ok(Result(userId, vk, received.MessageId, callback));
    }

    private static VkUserEventResult Result(long userId, VkState vk, long? messageId, VkCallbackDelivery? callback)
    {
        var state = ControlNames.NameOf(vk.GetPeerState(userId));
        return new VkUserEventResult(userId, state, messageId, callback);
    }

    private static ProblemHttpResult InvalidUser(long userId) =>
        Invalid($"userId must be a VK user id (positive); got {userId}.");
}
