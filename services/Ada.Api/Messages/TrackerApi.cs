using System.Globalization;
using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using StackExchange.Redis;

namespace Ada.Api.Messages;

/// <summary>Follow one message live: a server-sent event stream of its history document.</summary>
public static class TrackerApi
{
    public const int DefaultTimeoutSeconds = 60;
    /// <summary>A client that wants to follow longer opens a new stream (its snapshot misses nothing).</summary>
    public const int MaxTimeoutSeconds = 600;

    public static RouteGroupBuilder MapTracker(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1/history", "Tracker", Policies.Sender);

        group.MapGet("/{id}/events", Events).WithName("TrackHistory")
            .WithSummary("Server-sent events: snapshot, one update per change of the history, then end (complete, timeout or cancelled)")
            .WithDescription("At most Tracker__MaxStreamsPerCaller streams per caller and Tracker__MaxStreams in all per API instance; more: 429.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return group;
    }

    private static Results<HistoryEventStream, ProblemHttpResult> Events(
        string id, string? timeout, ClaimsPrincipal user, IConnectionMultiplexer mux, MessageStore messages, TimeProvider time,
        TrackerLimits limits, HttpContext http)
    {
        var caller = Caller.From(user);
        if (MessageAccess.Check(id, caller) is { } denied)
        {
            return denied;
        }
        var seconds = DefaultTimeoutSeconds;
        if (timeout is not null &&
            (!int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds is < 1 or > MaxTimeoutSeconds))
        {
            return Problems.BadRequest($"'timeout' must be a number of seconds from 1 to {MaxTimeoutSeconds}; got {Validation.Echo(timeout)}.");
        }
        var (lease, refusal) = limits.TryOpen(caller.Id);
        if (lease is null)
        {
            http.Response.Headers.RetryAfter = "5";
            return Problems.TooManyRequests(refusal!);
        }
        return new HistoryEventStream(id, TimeSpan.FromSeconds(seconds), mux, messages, time, lease);
    }
}

/// <summary>
/// Subscribes to the keyspace channel of <c>history:{id}</c> first and reads the document second, so no
/// change between the two is missed; then sends the document again after every <c>set</c> of it.
/// </summary>
public sealed class HistoryEventStream(
    string id, TimeSpan timeout, IConnectionMultiplexer mux, MessageStore messages, TimeProvider time, IDisposable lease)
    : IResult, IEndpointMetadataProvider
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var _ = lease;
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var started = time.GetTimestamp();
        // Subscribed on the node that holds the key (keyspace events are node-local in a cluster).
        var channel = RedisChannel.KeySpaceSingleKey(Keys.History(id), mux.Database());
        var notifications = await mux.GetSubscriber().SubscribeAsync(channel);
        try
        {
            var last = await messages.GetHistoryJsonAsync(id);
            await SendAsync(response, "snapshot", last is null ? "null" : MessageAccess.Shown(last), aborted);
            var reason = EndReason(last);
            while (reason is null)
            {
                var remaining = timeout - time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    reason = "timeout";
                    break;
                }
                var set = await WaitForSetAsync(notifications, remaining < KeepAlive ? remaining : KeepAlive, aborted);
                if (set is null && timeout > time.GetElapsedTime(started))
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                }
                if (set is not true)
                {
                    continue;
                }
                var json = await messages.GetHistoryJsonAsync(id);
                if (json is null || json == last)
                {
                    continue;
                }
                last = json;
                await SendAsync(response, "update", MessageAccess.Shown(json), aborted);
                reason = EndReason(json);
            }
            await SendAsync(response, "end", AdaJson.Serialize(new TrackerEnd(reason)), aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: nothing more to send.
        }
        finally
        {
            await notifications.UnsubscribeAsync();
        }
    }

    /// <summary>
    /// True when a <c>set</c> arrived within <paramref name="wait"/>, false for other notifications, null when none
    /// came. Every notification queued so far is consumed: one read of the document answers them all.
    /// </summary>
    private static async Task<bool?> WaitForSetAsync(ChannelMessageQueue notifications, TimeSpan wait, CancellationToken aborted)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timer.CancelAfter(wait);
        ChannelMessage message;
        try
        {
            message = await notifications.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return null;
        }
        var set = message.Message == "set";
        while (notifications.TryRead(out message))
        {
            set |= message.Message == "set";
        }
        return set;
    }

    private static string? EndReason(string? json)
    {
        if (json is null)
        {
            return null;
        }
        return AdaJson.Deserialize<HistoryDocument>(json)?.State switch
        {
            MessageStates.Done => "complete",
            MessageStates.Cancelled => "cancelled",
            _ => null,
        };
    }

    private static async Task SendAsync(HttpResponse response, string name, string data, CancellationToken aborted)
    {
        var lines = string.Join("\n", data.Split('\n').Select(line => "data: " + line));
        await response.WriteAsync($"event: {name}\n{lines}\n\n", aborted);
        await response.Body.FlushAsync(aborted);
    }
}
