using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Http;

/// <summary>The expected failures of the API, each a problem details answer with a precise detail.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status400BadRequest, detail, extensions);

    public static ProblemHttpResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, detail);

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, detail);

    public static ProblemHttpResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, detail);

    public static ProblemHttpResult TooManyRequests(string detail) => Problem(StatusCodes.Status429TooManyRequests, detail);

    public static ProblemHttpResult Problem(int status, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);

    /// <summary>The detail says how many problems were not listed (<see cref="Validation.MaxFields"/>).</summary>
    public static ProblemHttpResult Invalid(Validation validation) => Invalid(validation.Errors, validation.Detail);

    /// <summary>A 400 listing what is wrong per field; the detail is every message, in order (at most 20).</summary>
    public static ProblemHttpResult Invalid(IReadOnlyDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Status = StatusCodes.Status400BadRequest,
            Detail = detail ?? InvalidDetail(errors),
        });

    /// <summary>Every message, in order (at most 20).</summary>
    public static string InvalidDetail(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join(" ", errors.Values.SelectMany(v => v).Take(20));

    /// <summary>"a, b and 2 more" — ids echoed in a detail, without letting a huge list through.</summary>
    public static string List(IEnumerable<string> items, int max = 20)
    {
        var all = items.ToList();
        var shown = string.Join(", ", all.Take(max));
        return all.Count > max ? $"{shown} and {all.Count - max} more" : shown;
    }
}
