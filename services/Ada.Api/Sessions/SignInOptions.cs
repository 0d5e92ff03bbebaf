using System.ComponentModel.DataAnnotations;

namespace Ada.Api.Sessions;

/// <summary><c>Sessions:*</c>: how long sign-in codes and web sessions live, and how often one may try.</summary>
public sealed record SignInOptions
{
    public const string Section = "Sessions";

    /// <summary>A sign-in code works this many minutes.</summary>
    [Range(1, 60, ErrorMessage = "Sessions__CodeMinutes must be 1-60.")]
    public int CodeMinutes { get; init; } = 10;

    /// <summary>Wrong codes typed before the code is void.</summary>
    [Range(1, 20, ErrorMessage = "Sessions__CodeAttempts must be 1-20.")]
    public int CodeAttempts { get; init; } = 5;

    /// <summary>A web session ends this many hours after sign-in.</summary>
    [Range(1, 24 * 30, ErrorMessage = "Sessions__Hours must be 1-720.")]
    public int Hours { get; init; } = 12;
}
