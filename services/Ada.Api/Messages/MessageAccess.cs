using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Messages;

/// <summary>Who may see or change a message: its sender (named in its id), staff and admins.</summary>
public static partial class MessageAccess
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

    /// <summary>A stored history document (or an array of them, each <see cref="Shown"/>), answered as it is.</summary>
    public static ContentHttpResult Json(string json) => TypedResults.Text(json, "application/json", System.Text.Encoding.UTF8);

    /// <summary>
    /// A history document as readers see it: a sign-in code's message (origin <c>signin</c>) has its digits hidden, so
    /// staff and admins reading the history (the sender is the admin user) cannot sign in with someone else's code.
    /// The courier reads the stored document and delivers the code itself.
    /// </summary>
    public static string Shown(string json)
    {
        if (!json.Contains("\"origin\":\"" + QueueRequest.SignInOrigin + "\"", StringComparison.Ordinal))
        {
            return json;
        }
        var document = JsonNode.Parse(json)!.AsObject();
        if (document["text"] is JsonValue text && text.TryGetValue<string>(out var value))
        {
            document["text"] = Digits().Replace(value, "•");
        }
        return document.ToJsonString(AdaJson.Options);
    }

    [GeneratedRegex("[0-9]")]
    private static partial Regex Digits();

    public static ProblemHttpResult Missing(string id) =>
        Problems.NotFound($"There is no message {id}: it has not been queued.");
}
