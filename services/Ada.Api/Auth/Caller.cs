using System.Security.Claims;
using Ada.Core.Directory;

namespace Ada.Api.Auth;

/// <summary>Who is calling: the user id behind the bearer token, and that user's role.</summary>
public sealed record Caller(string Id, string Role)
{
    public bool IsStaffOrAdmin => Role is Roles.Staff or Roles.Admin;

    /// <summary>May this caller read or change the messages of <paramref name="senderId"/>?</summary>
    public bool MayActFor(string senderId) => senderId == Id || IsStaffOrAdmin;

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, Id), new Claim(ClaimTypes.Role, Role)], scheme));

    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The endpoint is missing RequireAuthorization."),
        user.FindFirstValue(ClaimTypes.Role) ?? Roles.Student);
}
