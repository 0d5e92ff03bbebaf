using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Directory;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Directory;

/// <summary>Bearer tokens for users and integrations; the token is shown once and stored only as its SHA-256. Admin only.</summary>
public static class TokensApi
{
    public static RouteGroupBuilder MapTokens(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/tokens").WithTags("Tokens").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/", Create).WithName("CreateToken").WithSummary("Issue a bearer token acting as an existing user")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<Created<TokenAnswer>, ProblemHttpResult>> Create(
        JsonBody<TokenBody> body, DirectoryStore directory, ILoggerFactory loggers)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var v = new Validation();
        if (!v.EntityId("userId", body.Value!.UserId, "user"))
        {
            return Problems.Invalid(v);
        }
        var userId = body.Value.UserId!;
        if (await directory.GetUserAsync(userId) is null)
        {
            return Problems.NotFound($"There is no user {Validation.Echo(userId)}; create it with PUT /v1/users/{userId} first.");
        }
        var token = await directory.CreateTokenAsync(userId);
        loggers.CreateLogger(typeof(TokensApi)).LogInformation("Issued a token for {UserId}", userId);
        return TypedResults.Created((string?)null, new TokenAnswer(token));
    }
}
