using Ada.Core.Directory;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Ada.Api.Auth;

public static class Policies
{
    /// <summary>The directory and tokens.</summary>
    public const string Admin = "admin";

    /// <summary>Queueing and following messages: everyone but students.</summary>
    public const string Sender = "sender";

    public static AuthorizationBuilder AddAdaPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Admin, p => p.RequireAuthenticatedUser()
            .AddRequirements(new RoleRequirement([Roles.Admin], "only the admin role may change the directory or issue tokens")))
        .AddPolicy(Sender, p => p.RequireAuthenticatedUser()
            .AddRequirements(new RoleRequirement([Roles.Teacher, Roles.Staff, Roles.Admin], "students cannot send messages")));

    /// <summary>
    /// A feature's endpoints for signed-in callers, under <paramref name="prefix"/> and documented as <paramref name="tag"/>:
    /// 401 without a token, 403 when <paramref name="policy"/> (null: any signed-in caller) refuses, 400 for a bad request.
    /// </summary>
    public static RouteGroupBuilder MapSignedInGroup(this IEndpointRouteBuilder routes, string prefix, string tag, string? policy = null)
    {
        var group = routes.MapGroup(prefix).WithTags(tag);
        if (policy is null)
        {
            group.RequireAuthorization();
        }
        else
        {
            group.RequireAuthorization(policy);
        }
        return group.ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }
}

/// <summary>The caller's role must be one of <paramref name="roles"/>; otherwise 403 with <paramref name="refusal"/> as the detail.</summary>
public sealed class RoleRequirement(IReadOnlyList<string> roles, string refusal)
    : AuthorizationHandler<RoleRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (roles.Any(context.User.IsInRole))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, refusal));
        }
        return Task.CompletedTask;
    }
}

/// <summary>Turns a refusal into a 403 problem whose detail says why.</summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var reasons = authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).ToList() ?? [];
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Detail = reasons.Count > 0 ? string.Join("; ", reasons) : "this call is not allowed for your role",
            },
        });
    }
}
