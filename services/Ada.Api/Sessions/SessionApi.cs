using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Sessions;

public sealed record CodeRequestBody(string? Login);

/// <summary><c>login</c> and <c>code</c>, or <c>adminToken</c> alone (the administrator's way in).</summary>
public sealed record SignInBody(string? Login, string? Code, string? AdminToken);

public sealed record CodeRequestAnswer(string Detail, int ExpiresInMinutes);

/// <summary>Who is calling, how, and (for a session) the token to echo in <c>X-Ada-Antiforgery</c>; the institution's clock.</summary>
public sealed record MeAnswer(
    string Id, string Name, string Role, string SignedInWith, string? AntiforgeryToken, string? SessionExpiresAt,
    string TimeZone, string? QuietHours);

/// <summary>
/// Signing in to the web app without passwords: a six-digit code sent to the person's own channels, then
/// a session cookie. The answer to a code request is the same whether or not the login exists.
/// </summary>
public static class SessionApi
{
    /// <summary><see cref="AttemptLimiter"/> kinds: codes asked for a login, wrong codes for a login, failures from an address.</summary>
    private const string CodeRequests = "signin-code";
    private const string Login = "login";
    private const string Address = "address";

    public static RouteGroupBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("Sessions")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapPost("/session/code", RequestCode).WithName("RequestSignInCode").AllowAnonymous()
            .WithMetadata(new Antiforgery.NotChecked())
            .WithSummary("Send a one-time sign-in code to the login's linked channels (202 whether or not the login exists)")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/session", SignIn).WithName("SignIn").AllowAnonymous()
            .WithMetadata(new Antiforgery.NotChecked())
            .WithSummary("Sign in with {login, code} (or {adminToken}): 204 and an HttpOnly SameSite=Strict session cookie")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapDelete("/session", SignOut).WithName("SignOut").RequireAuthorization()
            .WithSummary("Sign out: the session is ended on the server and the cookie removed");
        group.MapGet("/me", Me).WithName("Me").RequireAuthorization()
            .WithSummary("Who is signed in; for a session, the anti-forgery token to send as X-Ada-Antiforgery");

        return group;
    }

    private static async Task<Results<Accepted<CodeRequestAnswer>, ProblemHttpResult>> RequestCode(
        JsonBody<CodeRequestBody> body, HttpContext http, AttemptLimiter limiter, IOptions<AttemptOptions> attempts, SessionStore sessions,
        DirectoryStore directory, MessageQueue queue, IOptions<SignInOptions> options, IOptions<AdaOptions> ada, ILogger<SessionStore> logger)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        if (ReadLogin(body.Value!.Login) is not { } login)
        {
            return Problems.BadRequest("'login' must be your user id (1-64 letters, digits, '_', '-' or '.').");
        }
        // Every code sent counts until a sign-in succeeds: codes cost SMS, and a login nobody signs in to is a target.
        if (await BlockedAsync(http, limiter, attempts, (CodeRequests, login)) is { } limited)
        {
            return limited;
        }
        await limiter.RecordFailureAsync(CodeRequests, login);
        var minutes = options.Value.CodeMinutes;
        if (await directory.GetUserAsync(login) is { Role: not Roles.Student } user && user.Contacts.Count > 0)
        {
            var code = await sessions.NewCodeAsync(user.Id);
            var english = RequestLanguage.Of(http.Request) == Languages.English;
            var text = english
                ? $"Ada: your sign-in code is {code}. It works for {minutes} minutes. Do not give it to anyone."
                : $"Ada: код для входа {code}. Он действует {minutes} мин. Никому его не сообщайте.";
            var message = new QueueBody(null, text, new AddresseesBody([user.Id], null, null), null, true, "web");
            var result = await queue.QueueAsync(new Caller(ada.Value.AdminUserId, Roles.Admin), message, origin: QueueRequest.SignInOrigin);
            if (result.Refusal is { } refusal)
            {
                logger.LogWarning("Could not send a sign-in code to {UserId}: {Reason}", user.Id, refusal.Code);
            }
            else
            {
                logger.LogInformation("Sent a sign-in code to {UserId} as {MessageId}", user.Id, result.Answer!.Id);
            }
        }
        return TypedResults.Accepted((string?)null, new CodeRequestAnswer(
            "If this login belongs to a teacher, staff member or administrator with a linked channel, a code is on its way.", minutes));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SignIn(
        JsonBody<SignInBody> body, HttpContext http, AttemptLimiter limiter, IOptions<AttemptOptions> attempts, SessionStore sessions,
        DirectoryStore directory, IOptions<AdaOptions> ada, ILogger<SessionStore> logger)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var sign = body.Value!;
        if (sign.AdminToken is { Length: > 0 } adminToken)
        {
            if (await BlockedAsync(http, limiter, attempts) is { } limited)
            {
                return limited;
            }
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(adminToken)),
                    SHA256.HashData(Encoding.UTF8.GetBytes(ada.Value.AdminToken))))
            {
                await limiter.RecordFailureAsync(Address, AddressOf(http));
                return Problems.Problem(StatusCodes.Status401Unauthorized, "The admin token is not valid.");
            }
            await OpenAsync(http, sessions, ada.Value.AdminUserId, adminToken: true);
            logger.LogInformation("Signed in {UserId} with the admin token", ada.Value.AdminUserId);
            return TypedResults.NoContent();
        }
        var login = ReadLogin(sign.Login);
        var code = sign.Code?.Trim() ?? "";
        if (login is null || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return Problems.BadRequest("Send 'login' (your user id) and 'code' (the six digits Ada sent you), or 'adminToken'.");
        }
        if (await BlockedAsync(http, limiter, attempts, (Login, login)) is { } tooMany)
        {
            return tooMany;
        }
        if (!await sessions.TryUseCodeAsync(login, code) || await directory.GetUserAsync(login) is not { Role: not Roles.Student } user)
        {
            await limiter.RecordFailureAsync(Login, login);
            await limiter.RecordFailureAsync(Address, AddressOf(http));
            return Problems.Problem(StatusCodes.Status401Unauthorized,
                "The code is wrong, used or expired; check it, or ask for a new one.",
                new Dictionary<string, object?> { ["reason"] = "bad_code" });
        }
        await limiter.ResetAsync(Login, user.Id);
        await limiter.ResetAsync(CodeRequests, user.Id);
        await OpenAsync(http, sessions, user.Id, adminToken: false);
        logger.LogInformation("Signed in {UserId} with a code", user.Id);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> SignOut(HttpContext http, ClaimsPrincipal principal, SessionStore sessions)
    {
        if (principal.Identity?.AuthenticationType == SessionAuthenticationHandler.SchemeName && SessionCookie.Read(http.Request) is { } cookie)
        {
            await sessions.CloseAsync(cookie, Caller.From(principal).Id);
        }
        SessionCookie.Delete(http);
        return TypedResults.NoContent();
    }

    /// <summary>The session's facts come from the claims its authentication read them into (no second Redis read).</summary>
    private static async Task<Ok<MeAnswer>> Me(
        ClaimsPrincipal principal, HttpRequest request, DirectoryStore directory, IOptions<SchedulingOptions> scheduling,
        IOptions<AdaOptions> ada)
    {
        var caller = Caller.From(principal);
        var name = principal.FindFirstValue(ClaimTypes.Name)
            ?? (await directory.GetUserAsync(caller.Id) is { } user ? user.Name
                : caller.Id != ada.Value.AdminUserId ? caller.Id
                : RequestLanguage.Of(request) == Languages.English ? "Administrator" : "Администратор");
        var via = principal.FindFirstValue(SessionAuthenticationHandler.SignedInWithClaim) ?? "bearer";
        return TypedResults.Ok(new MeAnswer(caller.Id, name, caller.Role, via,
            principal.FindFirstValue(SessionAuthenticationHandler.AntiforgeryClaim),
            principal.FindFirstValue(SessionAuthenticationHandler.ExpiresAtClaim),
            scheduling.Value.TimeZone, string.IsNullOrWhiteSpace(scheduling.Value.QuietHours) ? null : scheduling.Value.QuietHours));
    }

    private static async Task OpenAsync(HttpContext http, SessionStore sessions, string userId, bool adminToken)
    {
        var (cookie, _) = await sessions.OpenAsync(userId, adminToken);
        SessionCookie.Write(http, cookie, sessions.SessionLifetime);
    }

    /// <summary>A 429 problem when this address, or the login, has failed too often in the window.</summary>
    private static async Task<ProblemHttpResult?> BlockedAsync(
        HttpContext http, AttemptLimiter limiter, IOptions<AttemptOptions> attempts, (string Kind, string Login)? login = null)
    {
        var blocked = await limiter.IsBlockedAsync(Address, AddressOf(http))
            || (login is { } l && await limiter.IsBlockedAsync(l.Kind, l.Login));
        if (!blocked)
        {
            return null;
        }
        var minutes = attempts.Value.WindowMinutes;
        http.Response.Headers.RetryAfter = (minutes * 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Problem(StatusCodes.Status429TooManyRequests,
            $"Too many sign-in attempts; try again within {minutes} min.",
            new Dictionary<string, object?> { ["reason"] = "too_many_attempts" });
    }

    private static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string? ReadLogin(string? login) =>
        login?.Trim() is { } trimmed && MessageIds.IsValidEntityId(trimmed) ? trimmed : null;
}
