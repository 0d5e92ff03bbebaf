using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Api.Telegram;
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
        var group = routes.MapSignedInGroup("/v1/users", "VK");

        group.MapPost("/{userId}/link-codes", Create).WithName("CreateLinkCode")
            .WithSummary("Issue a one-time code that links the VK account which sends it to the community, or the Telegram chat " +
                "that opens the bot's deep link with it, to this user")
            .WithDescription("JSON: the code, its expiry and, when the Telegram bot is on, 'telegramLink' " +
                "(https://t.me/<bot>?start=<code>). With 'Accept: image/svg+xml' or 'Accept: image/png' the answer is instead " +
                "a QR code of that link (a new code all the same), to print or put on a slide; 409 when the bot is off. " +
                "For an admin, the user, or (with ?group=<groupId>) an owner of a group the user is a member of: the students' " +
                "sign-up sheet of the web app.")
            .Produces<LinkCodeAnswer>(StatusCodes.Status201Created)
            .Produces(StatusCodes.Status201Created, contentType: "image/svg+xml", additionalContentTypes: ["image/png"])
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    private static async Task<Results<Created<LinkCodeAnswer>, FileContentHttpResult, ProblemHttpResult>> Create(
        string userId, string? group, HttpRequest request, ClaimsPrincipal principal, DirectoryStore directory, LinkCodeStore codes,
        IOptions<VkOptions> options, BotIdentity bot, TimeProvider time, ILoggerFactory loggers)
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
        var image = LinkQrCodes.Requested(request);
        if (image is not null && bot.Username is null)
        {
            return Problems.Conflict("A QR code holds the Telegram bot's link, and the bot is off or not yet known: set Telegram__Token " +
                "(and Telegram__BotUsername, or let the API ask getMe).");
        }
        var ttl = TimeSpan.FromHours(options.Value.LinkCodeHours);
        var code = await codes.IssueAsync(userId, ttl);
        loggers.CreateLogger(typeof(LinkCodesApi)).LogInformation("Issued a link code for {UserId}; the previous one, if any, no longer works", userId);
        var link = bot.DeepLink(code);
        if (image is not null)
        {
            request.HttpContext.Response.StatusCode = StatusCodes.Status201Created;
            return TypedResults.File(LinkQrCodes.Draw(link!, image), image);
        }
        return TypedResults.Created((string?)null, new LinkCodeAnswer(code, AdaJson.Timestamp(time.GetUtcNow() + ttl), link));
    }

    /// <summary>A group's owner hands out its members' codes (the sign-up sheet a teacher prints for a class).</summary>
    private static async Task<bool> OwnsGroupOfAsync(DirectoryStore directory, Caller caller, string? groupId, string userId) =>
        groupId is not null && MessageIds.IsValidEntityId(groupId)
        && await directory.GetGroupAsync(groupId) is { } group
        && group.Owners.Contains(caller.Id) && group.Members.Contains(userId);
}
