namespace Ada.Api.Http;

/// <summary>Details for the problems the framework answers by itself (no route, wrong method, not JSON).</summary>
public static class ProblemDefaults
{
    public static void AddDetail(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Detail is not null)
        {
            return;
        }
        var request = context.HttpContext.Request;
        var path = Validation.Echo(request.Path.Value ?? "/");
        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"There is no endpoint at {path}; the API is described at /openapi/v1.json.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {path}; see /openapi/v1.json.",
            StatusCodes.Status415UnsupportedMediaType => "The body must be JSON sent with 'Content-Type: application/json'.",
            StatusCodes.Status500InternalServerError => "An unexpected error occurred; it has been logged with the trace id.",
            _ => null,
        };
    }
}
