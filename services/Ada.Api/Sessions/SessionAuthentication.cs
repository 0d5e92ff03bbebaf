using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Ada.Api.Auth;
using Ada.Core.Directory;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ada.Api.Sessions;

/// <summary>The session cookie: <c>__Host-ada_session</c> over HTTPS (Secure, host-only), <c>ada_session</c> over plain HTTP.</summary>
public static class SessionCookie
{
    public const string Name = "ada_session";
    public const string SecureName = "__Host-ada_session";

    public static string? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(SecureName, out var secure) ? secure
        : request.Cookies.TryGetValue(Name, out var plain) ? plain
        : null;

    public static void Write(HttpContext context, string value, TimeSpan lifetime) =>
        context.Response.Cookies.Append(NameFor(context.Request), value, Options(context.Request, lifetime));

    public static void Delete(HttpContext context)
    {
        context.Response.Cookies.Delete(NameFor(context.Request), Options(context.Request, null));
    }

    private static string NameFor(HttpRequest request) => request.IsHttps ? SecureName : Name;

    private static CookieOptions Options(HttpRequest request, TimeSpan? lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        MaxAge = lifetime,
        IsEssential = true,
    };
}

/// <summary>
/// The session cookie as an authentication scheme: the session is read from Redis on every request (so
/// signing out, or being signed out by an admin, takes effect at once on every instance) and the user's
/// role from the directory (so a demotion does too). The principal carries the session's anti-forgery
/// token for <see cref="Antiforgery"/>.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionStore sessions,
    DirectoryStore directory,
    IOptions<AdaOptions> ada,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string AntiforgeryClaim = "ada:antiforgery";
    public const string SignedInWithClaim = "ada:signed-in-with";
    public const string ExpiresAtClaim = "ada:session-expires-at";

    /// <summary>
    /// The default scheme (a policy scheme forwards to the one this names): a request with an Authorization header is a bearer call, one with only the session
    /// cookie a session call; without either the bearer handler answers the challenge.
    /// </summary>
    public static string SelectScheme(HttpContext context) =>
        context.Request.Headers.Authorization.Count == 0 && SessionCookie.Read(context.Request) is not null
            ? SessionAuthenticationHandler.SchemeName
            : BearerAuthenticationHandler.SchemeName;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (SessionCookie.Read(Request) is not { } cookie)
        {
            return AuthenticateResult.NoResult();
        }
        if (await sessions.GetAsync(cookie) is not { } session)
        {
            return AuthenticateResult.Fail("The session has ended; sign in again.");
        }
        var user = session.AdminToken ? null : await directory.GetUserAsync(session.UserId);
        Caller? caller = session.AdminToken ? new Caller(ada.Value.AdminUserId, Roles.Admin)
            : user is not null ? new Caller(user.Id, user.Role) : null;
        if (caller is null)
        {
            return AuthenticateResult.Fail("The session's user is no longer in the directory; sign in again.");
        }
        var principal = caller.ToPrincipal(SchemeName);
        // What GET /v1/me tells about the session, so it needs no second read of the session or the user.
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(AntiforgeryClaim, session.Antiforgery));
        identity.AddClaim(new Claim(SignedInWithClaim, session.AdminToken ? "admin-token" : "code"));
        identity.AddClaim(new Claim(ExpiresAtClaim, session.ExpiresAt));
        if (user is not null)
        {
            identity.AddClaim(new Claim(ClaimTypes.Name, user.Name));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Detail = result.Failure?.Message ?? "Sign in first (POST /v1/session), or send 'Authorization: Bearer <token>'.",
            },
        });
    }
}

/// <summary>
/// Cookie-authenticated requests that change something must echo the session's anti-forgery token in
/// <see cref="HeaderName"/>: a page on another site can make the browser send the cookie (not with
/// SameSite=Strict in current browsers, but older ones and same-site subdomains do) yet cannot read the
/// token. Bearer calls are not checked (a browser never adds that header by itself). A middleware rather than
/// an endpoint filter, so every endpoint is covered, including ones added later.
/// </summary>
public static class Antiforgery
{
    public const string HeaderName = "X-Ada-Antiforgery";

    /// <summary>Marks the endpoints that sign in: they run before there is a token to echo.</summary>
    public sealed class NotChecked;

    public static IApplicationBuilder UseSessionAntiforgery(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        if (safe || context.User.Identity is not { IsAuthenticated: true, AuthenticationType: SessionAuthenticationHandler.SchemeName }
            || context.GetEndpoint()?.Metadata.GetMetadata<NotChecked>() is not null)
        {
            await next(context);
            return;
        }
        var expected = context.User.FindFirstValue(SessionAuthenticationHandler.AntiforgeryClaim) ?? "";
        string sent = request.Headers[HeaderName].ToString();
        if (sent.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(expected)))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Detail = $"A request signed in with the session cookie must carry the '{HeaderName}' header with the token " +
                    "from GET /v1/me; requests from other sites are refused.",
                Extensions = { ["reason"] = "antiforgery" },
            },
        });
    });
}
