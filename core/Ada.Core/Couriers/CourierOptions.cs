using System.ComponentModel.DataAnnotations;

namespace Ada.Core.Couriers;

/// <summary>The courier runtime's knobs (section <c>Courier</c>); the defaults suit one university.</summary>
public sealed class CourierOptions
{
    public const string Section = "Courier";

    /// <summary>A claim lapses this long after its holder stopped renewing it (a crashed courier).</summary>
    [Range(2, 600)] public int LeaseSeconds { get; set; } = 15;

    /// <summary>How often the claim is renewed and cancellation checked; keeps "cancel" within about a second.</summary>
    [Range(100, 10_000)] public int RenewMilliseconds { get; set; } = 1000;

    /// <summary>Safety net: how often the due index is swept for due messages nobody is sending.</summary>
    [Range(1, 600)] public int SweepSeconds { get; set; } = 3;

    /// <summary>How often the due index is checked for orders falling due, to touch them so Redis announces them.</summary>
    [Range(5, 1000)] public int DueTickMilliseconds { get; set; } = 20;

    /// <summary>Messages one instance sends at once: many one-person messages fall due together at 8:00.</summary>
    [Range(1, 256)] public int MaxConcurrentMessages { get; set; } = 16;

    /// <summary>Attempts for one person on transient errors before the receipt says failed.</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 10;

    /// <summary>Attempts for one person when the provider keeps answering "too many requests".</summary>
    [Range(1, 1000)] public int MaxThrottledAttempts { get; set; } = 50;

    /// <summary>Backoff before the first retry of a person (the provider named no time): about this, then twice it … (<see cref="RetryBackoff"/>).</summary>
    [Range(1, 60_000)] public int BackoffFirstMilliseconds { get; set; } = 1000;

    /// <summary>The longest backoff between two attempts for one person.</summary>
    [Range(1, 3600)] public int BackoffMaxSeconds { get; set; } = 30;

    [Range(1, 60)] public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>Sends of a batch are recorded in reports at most this long after they happen (one round trip per window).</summary>
    [Range(1, 1000)] public int RecordWindowMilliseconds { get; set; } = 5;

    /// <summary>Run the claim and report scripts and the provider client once at start, so the first message is not late.</summary>
    public bool WarmUp { get; set; } = true;
}
