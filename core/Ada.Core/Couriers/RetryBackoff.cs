namespace Ada.Core.Couriers;

/// <summary>
/// The one retry policy of every courier: a sender says "retry" (optionally "after N", when the provider named the
/// time) and the runtime waits this long before trying the person again. Exponential with full jitter: about 1, 2,
/// 4 … s after 0, 1, 2 … earlier attempts, at most 30 s (<see cref="CourierOptions.BackoffFirstMilliseconds"/>,
/// <see cref="CourierOptions.BackoffMaxSeconds"/>).
/// </summary>
public sealed class RetryBackoff(CourierOptions options)
{
    /// <summary>
    /// The wait after <paramref name="attempts"/> earlier attempts; <paramref name="jitter"/> in [0, 1) picks a point
    /// in the upper half of the window. The runtime draws one jitter per batch, so people retried from one provider
    /// request (same attempts) fall due together and the request repeats as it was (the SMS gateway's idempotency id).
    /// </summary>
    public TimeSpan Delay(int attempts, double jitter)
    {
        var ceiling = Math.Min(options.BackoffMaxSeconds * 1000.0, options.BackoffFirstMilliseconds * Math.Pow(2, Math.Min(attempts, 30)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + jitter * ceiling / 2);
    }
}
