using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox.Email;

/// <summary>ForSeconds and Count are optional; with neither the fault lasts until it is replaced.</summary>
public sealed record EmailFaultRequest(string? Mode, int? ForSeconds, int? Count);

public sealed record EmailServerView(string Host, int Port);

/// <summary>How tests find the sandbox's SMTP server and break it.</summary>
public static class EmailControlApi
{
    public static RouteGroupBuilder MapEmailControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox/email").WithTags("Sandbox: Email");

        group.MapGet("", (EmailState email) => TypedResults.Ok(new EmailServerView("127.0.0.1", email.Port)));
        group.MapPut("/fault", SetFault);

        return group;
    }

    private static Results<NoContent, ProblemHttpResult> SetFault(EmailFaultRequest request, EmailState email) =>
        email.Fault.Set(request.Mode, request.ForSeconds, request.Count);
}
