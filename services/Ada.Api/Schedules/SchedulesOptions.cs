using System.ComponentModel.DataAnnotations;

namespace Ada.Api.Schedules;

/// <summary><c>Schedules:*</c>: how the API instances fire schedules.</summary>
public sealed class SchedulesOptions
{
    public const string Section = "Schedules";

    /// <summary>Safety net: how often each instance sweeps the due index for due ticks whose event it missed.</summary>
    [Range(1, 600)] public int SweepSeconds { get; set; } = 3;

    /// <summary>An instance that crashed while firing a tick holds it this long; then another fires it (same message id).</summary>
    [Range(2, 600)] public int LeaseSeconds { get; set; } = 15;
}
