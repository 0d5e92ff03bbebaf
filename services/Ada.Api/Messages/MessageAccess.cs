using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Messages;

/// <summary>Who may see or change a message: its sender (named in its id), staff and admins.</summary>
public static class MessageAccess
{
    /// <summary>Null when <paramref name="caller"/> may act on <paramref name="id"/>; otherwise the 400 or 403 to answer.</summary>
    public static ProblemHttpResult? Check(string id, Caller caller)
    {
        if (!MessageIds.TryParse(id, out var sender))
        {
            return Problems.BadRequest($"{Validation.Echo(id)} is not a message id of the form <senderId>:<unixNanoseconds>.");
        }
        return caller.MayActFor(sender)
            ? null
            : Problems.Forbidden($"Message {id} belongs to sender {Validation.Echo(sender)}; only its sender, staff and admins may use it.");
    }

    /// <summary>A stored history document, answered as it is stored.</summary>
    public static ContentHttpResult Json(string json) => TypedResults.Text(json, "application/json", System.Text.Encoding.UTF8);

    public static ProblemHttpResult Missing(string id) =>
        Problems.NotFound($"There is no message {id}: it has not been queued.");
}
