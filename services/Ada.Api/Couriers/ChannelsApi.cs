using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Couriers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Couriers;

/// <summary>
/// The channel registry: every registered channel with its live courier instances, last heartbeat and limits
/// (anyone who may send); retiring a channel whose couriers are gone for good (admin).
/// </summary>
public static class ChannelsApi
{
    public static RouteGroupBuilder MapChannels(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/channels").WithTags("Channels")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", List).WithName("ListChannels").RequireAuthorization(Policies.Sender)
            .WithSummary("Registered channels: live courier instances, last heartbeat, limits")
            .WithDescription("A channel is registered by the first heartbeat of one of its couriers and stays expected by every " +
                "message until an admin retires it. 'live': false means no courier beat within 30 s: messages wait for it.");
        group.MapDelete("/{name}", Retire).WithName("RetireChannel").RequireAuthorization(Policies.Admin)
            .WithSummary("Retire a channel: messages queued from now on no longer expect it")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    private static async Task<Ok<List<ChannelAnswer>>> List(CourierRegistry registry) =>
        TypedResults.Ok((await registry.ChannelsAsync(fresh: true)).Select(ChannelAnswer.Of).ToList());

    private static async Task<Results<NoContent, ProblemHttpResult>> Retire(string name, CourierRegistry registry, ILoggerFactory loggers)
    {
        var (outcome, instances) = await registry.RetireAsync(name);
        switch (outcome)
        {
            case RetireOutcome.Retired:
                loggers.CreateLogger(typeof(ChannelsApi)).LogInformation("Retired channel {Channel}", name);
                return TypedResults.NoContent();
            case RetireOutcome.Live:
                return Problems.Conflict($"The {name} channel has {instances} courier instance(s) alive (a heartbeat within " +
                    $"{CourierRegistry.AliveWithin.TotalSeconds:0} s); stop them first, or their next heartbeat registers it again.");
            default:
                return Problems.NotFound($"No channel {Validation.Echo(name)} is registered; GET /v1/channels lists them.");
        }
    }
}

/// <summary>One channel of <c>GET /v1/channels</c>.</summary>
public sealed record ChannelAnswer(string Name, bool Live, int Instances, string? LastSeen, string RegisteredAt, ChannelLimits? Limits)
{
    public static ChannelAnswer Of(ChannelStatus c) => new(c.Name, c.Live, c.Instances, c.LastSeen, c.RegisteredAt, c.Limits);
}
