using System.Security.Cryptography;
using System.Text;

namespace Ada.Sandbox;

/// <summary>
/// <c>Sandbox:ControlToken</c>: everything under <c>/sandbox/</c> (faults, inbox reads and clearing, limits,
/// people typing, pressing and blocking, the chat pages) needs it — as the <c>X-Sandbox-Token</c> header, or
/// once as <c>?token=</c> in a browser, which then keeps it in a cookie for that path. Without it: 401. The
/// providers' own APIs (Bot API, VK methods, the SMS gateways, SMTP) are not touched: Ada's couriers call them
/// with the provider's credentials. When the setting is empty the control API is open and the sandbox says so
/// at start; <c>deploy/run.sh</c> and the test fixtures always set one.
/// </summary>
public static class ControlToken
{
    public const string Setting = "Sandbox:ControlToken";
    public const string Header = "X-Sandbox-Token";
    public const string Cookie = "sandbox-token";
    public const string Query = "token";
    private const string ControlPrefix = "/sandbox";

    public static IApplicationBuilder UseControlToken(this WebApplication app)
    {
        var token = app.Configuration[Setting];
        if (string.IsNullOrEmpty(token))
        {
            app.Logger.LogWarning("Sandbox__ControlToken is not set: the control API under /sandbox/ is open to anyone who reaches this address");
            return app;
        }
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
