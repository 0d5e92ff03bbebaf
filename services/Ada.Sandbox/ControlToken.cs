using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox;

/// <summary>
/// <c>Sandbox:ControlToken</c>: everything under <c>/sandbox/</c> (faults, inbox reads and clearing, limits,
/// people typing, pressing and blocking, the chat pages) needs it — as the <c>X-Sandbox-Token</c> header, or
/// once as <c>?token=</c> in a browser, which then keeps it in a cookie for that path. Without it: 401. The
/// providers' own APIs (Bot API, VK methods, the SMS gateways, SMTP) are not touched: Ada's couriers call them
/// with the provider's credentials. The setting is required (at least <see cref="ControlTokenOptions.MinLength"/> characters): the
/// sandbox refuses to start without it, so its control API is never open; <c>deploy/run.sh</c> generates one
/// per run and the test fixtures set theirs.
/// </summary>
public static class ControlToken
{
    public const string Setting = "Sandbox:ControlToken";
    public const string Header = "X-Sandbox-Token";
    public const string Cookie = "sandbox-token";
    public const string Query = "token";
    private const string ControlPrefix = "/sandbox";

    /// <summary>Binds and validates the token at start: a sandbox without one does not start.</summary>
    public static IHostApplicationBuilder AddControlToken(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ControlTokenOptions>(ControlTokenOptions.Section);
        return builder;
    }

    public static IApplicationBuilder UseControlToken(this WebApplication app)
    {
        // Reading the options validates them: a missing or short token stops the sandbox here, with the message.
        var token = app.Services.GetRequiredService<IOptions<ControlTokenOptions>>().Value.ControlToken;
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        bool Matches(string? given) =>
            given is not null && CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(given)));

        return app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(ControlPrefix, StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }
            var request = context.Request;
            if (Matches(request.Headers[Header].ToString()) || Matches(request.Cookies[Cookie]))
            {
                await next(context);
                return;
            }
            if (Matches(request.Query[Query].ToString()))
            {
                context.Response.Cookies.Append(Cookie, token, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Path = ControlPrefix, IsEssential = true,
                });
                await next(context);
                return;
            }
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized,
                detail: $"The sandbox's control API needs Sandbox__ControlToken: send it as the {Header} header (or ?{Query}= once in a browser).")
                .ExecuteAsync(context);
        });
    }
}

/// <summary><c>Sandbox:ControlToken</c>, a secret: no default.</summary>
public sealed record ControlTokenOptions
{
    public const string Section = "Sandbox";

    /// <summary>A token of a shared host must not be guessable.</summary>
    public const int MinLength = 16;

    [Required(ErrorMessage = "Sandbox__ControlToken is not set: the sandbox's control API under /sandbox/ needs a token " +
        "(environment variable Sandbox__ControlToken, e.g. `openssl rand -hex 16`; deploy/run.sh generates one).")]
    [MinLength(MinLength, ErrorMessage = "Sandbox__ControlToken is too short: give it at least 16 characters (e.g. `openssl rand -hex 16`).")]
    public string ControlToken { get; init; } = "";
}
