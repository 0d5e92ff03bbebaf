using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox;

/// <summary>How the control APIs refuse a request: a problem whose <c>detail</c> says what to change.</summary>
public static class ControlProblems
{
    public static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound);
}
