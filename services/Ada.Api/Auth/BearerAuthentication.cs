using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Ada.Core.Directory;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Ada.Api.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c>: the admin token from configuration, or a token issued by
/// <c>POST /v1/tokens</c> (stored as its SHA-256 only) that has not expired or been revoked. Resolved tokens
/// are kept for a few seconds so a burst of calls does not cost two Redis reads each (<see cref="Credentials"/>
/// forgets them on revocation). Tokens are never logged.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AdaOptions> ada,
    DirectoryStore directory,
    TokenStore tokens,
    IMemoryCache cache,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private const int MaxTokenLength = 512;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");
        }
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > MaxTokenLength)
        {
            return AuthenticateResult.Fail("The bearer token is not valid.");
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var adminHash = SHA256.HashData(Encoding.UTF8.GetBytes(ada.Value.AdminToken));
        if (CryptographicOperations.FixedTimeEquals(hash, adminHash))
        {
            return Success(new Caller(ada.Value.AdminUserId, Roles.Admin));
        }

        var cacheKey = CacheKey(Convert.ToHexStringLower(hash));
        if (!cache.TryGetValue(cacheKey, out Caller? caller))
        {
            caller = await tokens.ResolveAsync(token) is { } record && await directory.GetUserAsync(record.UserId) is { } user
                ? new Caller(user.Id, user.Role)
                : null;
            if (caller is not null)
            {
                cache.Set(cacheKey, caller, CacheFor);
            }
        }
        return caller is null ? AuthenticateResult.Fail("The bearer token is not valid.") : Success(caller);
    }

    /// <summary>The cache entry of a resolved token, by the token's SHA-256 (hex).</summary>
    public static string CacheKey(string tokenHash) => "bearer:" + tokenHash;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Detail = result.Failure?.Message ?? "This call needs an 'Authorization: Bearer <token>' header.",
            },
        });
    }

    private static AuthenticateResult Success(Caller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
}
