using System.Security.Claims;
using System.Text.RegularExpressions;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Directory;

/// <summary>
/// Bearer tokens for users and integrations; the token is shown once and stored only as its SHA-256, and
/// it expires (<c>Ada__TokenDays</c>, or <c>expiresInDays</c> up to ten years for an integration). Issuing is
/// for admins; listing and revoking also for a user's own tokens.
/// </summary>
public static partial class TokensApi
{
    public static RouteGroupBuilder MapTokens(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1/tokens", "Tokens");

        group.MapPost("/", Create).WithName("CreateToken").WithSummary("Issue a bearer token acting as an existing user (admin)")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", List).WithName("ListTokens")
            .WithSummary("List live tokens (never their secret): an admin anyone's (?userId= narrows), a user their own");
        group.MapDelete("/{id}", Revoke).WithName("RevokeToken").WithSummary("Revoke a token: an admin any, a user their own")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<Created<TokenAnswer>, ProblemHttpResult>> Create(
        JsonBody<TokenBody> body, DirectoryStore directory, TokenStore tokens, IOptions<AdaOptions> options, ILoggerFactory loggers)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var v = new Validation();
        v.EntityId("userId", body.Value!.UserId, "user");
        var days = body.Value.ExpiresInDays ?? options.Value.TokenDays;
        if (days is < 1 or > AdaOptions.MaxTokenDays)
        {
            v.Add("expiresInDays", $"'expiresInDays' is {days}; a token lives 1 to {AdaOptions.MaxTokenDays} days.");
        }
        if (!v.IsValid)
        {
            return Problems.Invalid(v);
        }
        var userId = body.Value.UserId!;
        if (await directory.GetUserAsync(userId) is null)
        {
            return Problems.NotFound($"There is no user {Validation.Echo(userId)}; create it with PUT /v1/users/{userId} first.");
        }
        var (token, record) = await tokens.CreateAsync(userId, TimeSpan.FromDays(days));
        loggers.CreateLogger(typeof(TokensApi)).LogInformation("Issued token {TokenId} for {UserId}, valid {Days} days", record.Id, userId, days);
        var info = TokenInfo.From(record);
        return TypedResults.Created($"/v1/tokens/{record.Id}", new TokenAnswer(token, info.Id, info.UserId, info.CreatedAt, info.ExpiresAt));
    }

    private static async Task<Results<Ok<List<TokenInfo>>, ProblemHttpResult>> List(
        string? userId, ClaimsPrincipal principal, TokenStore tokens)
    {
        var caller = Caller.From(principal);
        if (userId is not null && !MessageIds.IsValidEntityId(userId))
        {
            return Problems.BadRequest($"'userId' {Validation.Echo(userId)} is not a valid user id (1-64 letters, digits, '_', '-' or '.').");
        }
        if (caller.Role != Roles.Admin && userId is not null && userId != caller.Id)
        {
            return Problems.Forbidden("Only an admin may list another user's tokens.");
        }
        var owner = caller.Role == Roles.Admin ? userId : caller.Id;
        return TypedResults.Ok((await tokens.ListAsync(owner)).Select(TokenInfo.From).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string id, ClaimsPrincipal principal, TokenStore tokens, Credentials credentials, ILoggerFactory loggers)
    {
        if (!TokenId().IsMatch(id))
        {
            return Problems.BadRequest($"{Validation.Echo(id)} is not a token id (tok_ and 16 hex digits, as GET /v1/tokens lists them).");
        }
        var caller = Caller.From(principal);
        // A user learns nothing about other users' token ids: theirs and unknown ones are both 404.
        if (await tokens.FindAsync(id) is not { } record || (caller.Role != Roles.Admin && record.UserId != caller.Id)
            || !await credentials.RevokeTokenAsync(id))
        {
            return Problems.NotFound($"You have no token {id}.");
        }
        loggers.CreateLogger(typeof(TokensApi)).LogInformation("Revoked token {TokenId} of {UserId}", id, record.UserId);
        return TypedResults.NoContent();
    }

    [GeneratedRegex("^tok_[0-9a-f]{16}$")]
    private static partial Regex TokenId();
}
