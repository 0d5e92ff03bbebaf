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
/// themselves with their own token. A new code replaces the user's previous one.
/// </summary>
public static class LinkCodesApi
{
    public static RouteGroupBuilder MapLinkCodes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/users").WithTags("VK").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/{userId}/link-codes", Create).WithName("CreateLinkCode")
            .WithSummary("Issue a one-time code that links the VK account which sends it to the community to this user")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<Created<LinkCodeAnswer>, ProblemHttpResult>> Create(
        string userId, ClaimsPrincipal principal, DirectoryStore directory, LinkCodeStore codes, IOptions<VkOptions> options,
        TimeProvider time, ILoggerFactory loggers)
    {
        if (!MessageIds.IsValidEntityId(userId))
        {
            return Problems.BadRequest($"{Validation.Echo(userId)} is not a valid user id (1-64 letters, digits, '_', '-' or '.').");
        }
        var caller = Caller.From(principal);
        if (caller.Role != Roles.Admin && caller.Id != userId)
        {
            return Problems.Forbidden($"Only an admin or {Validation.Echo(userId)} themselves may issue that user's link codes.");
        }
        if (await directory.GetUserAsync(userId) is null)
        {
            return Problems.NotFound($"There is no user {Validation.Echo(userId)}; create it with PUT /v1/users/{userId} first.");
        }
        var ttl = TimeSpan.FromHours(options.Value.LinkCodeHours);
        var code = await codes.IssueAsync(userId, ttl);
        loggers.CreateLogger(typeof(LinkCodesApi)).LogInformation("Issued a link code for {UserId}; the previous one, if any, no longer works", userId);
        return TypedResults.Created((string?)null, new LinkCodeAnswer(code, AdaJson.Timestamp(time.GetUtcNow() + ttl)));
    }
}
