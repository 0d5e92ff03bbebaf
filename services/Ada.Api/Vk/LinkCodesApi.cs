using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Vk;

/// <summary>
/// <c>POST /v1/users/{userId}/link-codes</c>: a short code the person sends to the VK community in a private
/// message; the Callback API then makes the sender's VK id their VK contact. For an admin, or the user
/// themselves with their own token.
/// </summary>
public static class LinkCodesApi
{
    /// <summary>Fresh codes drawn before giving up; with a billion codes a second draw is already rare.</summary>
    private const int Draws = 8;

    public static RouteGroupBuilder MapLinkCodes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/users").WithTags("VK").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/{userId}/link-codes", Create).WithName("CreateLinkCode")
            .WithSummary("Issue a one-time code that links the VK account which sends it to the community to this user")
            .WithDescription("For an admin, the user, or (with ?group=<groupId>) an owner of a group the user is a member of: " +
                "the students' sign-up sheet of the web app.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<Created<LinkCodeAnswer>, ProblemHttpResult>> Create(
        string userId, string? group, ClaimsPrincipal principal, DirectoryStore directory, VkDirectory vk, IOptions<VkOptions> options,
        TimeProvider time, ILoggerFactory loggers)
    {
        if (!MessageIds.IsValidEntityId(userId))
        {
            return Problems.BadRequest($"{Validation.Echo(userId)} is not a valid user id (1-64 letters, digits, '_', '-' or '.').");
        }
        var caller = Caller.From(principal);
        if (caller.Role != Roles.Admin && caller.Id != userId && !await OwnsGroupOfAsync(directory, caller, group, userId))
        {
            return Problems.Forbidden($"Only an admin, {Validation.Echo(userId)} themselves, or the owner of a group they are in " +
                "(passed as ?group=<groupId>) may issue that user's link codes.");
        }
        if (await directory.GetUserAsync(userId) is null)
        {
            return Problems.NotFound($"There is no user {Validation.Echo(userId)}; create it with PUT /v1/users/{userId} first.");
        }
        var ttl = TimeSpan.FromHours(options.Value.LinkCodeHours);
        for (var draw = 0; draw < Draws; draw++)
        {
            var code = LinkCodes.New();
            if (await vk.TryAddLinkCodeAsync(code, userId, ttl))
            {
                loggers.CreateLogger(typeof(LinkCodesApi)).LogInformation("Issued a VK link code for {UserId}", userId);
                return TypedResults.Created((string?)null, new LinkCodeAnswer(code, AdaJson.Timestamp(time.GetUtcNow() + ttl)));
            }
        }
        throw new InvalidOperationException($"{Draws} random link codes in a row were taken; the code space is exhausted.");
    }

    /// <summary>A group's owner hands out its members' codes (the sign-up sheet a teacher prints for a class).</summary>
    private static async Task<bool> OwnsGroupOfAsync(DirectoryStore directory, Caller caller, string? groupId, string userId) =>
        groupId is not null && MessageIds.IsValidEntityId(groupId)
        && await directory.GetGroupAsync(groupId) is { } group
        && group.Owners.Contains(caller.Id) && group.Members.Contains(userId);
}
