using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox;

/// <summary>
/// A provider's fault switched by the control API that hits every request until its time is up, its count of hits is
/// spent or it is replaced: the SMS gateway's lost answers, the SMTP server's refusals. <typeparamref name="TMode"/>'s
/// default value (its first member, <c>None</c>) is no fault.
/// </summary>
public sealed class CountedFault<TMode>(TimeProvider time) where TMode : struct, Enum
{
    private readonly Lock _gate = new();
    private TMode _mode;
    private DateTimeOffset? _until;
    private int? _remaining;

    /// <param name="duration">Null: until replaced.</param>
    /// <param name="count">How many requests it hits; null: every one.</param>
    public void Set(TMode mode, TimeSpan? duration, int? count)
    {
        lock (_gate)
        {
            _mode = mode;
            _until = time.GetUtcNow() + duration;
            _remaining = count;
        }
    }

    /// <summary>The fault for one request, counted against the fault's count.</summary>
    public TMode Take()
    {
        lock (_gate)
        {
            if (_until is { } until && time.GetUtcNow() >= until)
            {
                _mode = default;
                _remaining = null;
            }
            var mode = _mode;
            if (_remaining is { } remaining)
            {
                if (remaining > 1)
                {
                    _remaining = remaining - 1;
                }
                else
                {
                    _mode = default;
                    _remaining = null;
                }
            }
            return mode;
        }
    }

    /// <summary>
    /// The control API's <c>PUT …/fault</c>: <paramref name="mode"/> one of <paramref name="modes"/>' names; <paramref name="forSeconds"/>
    /// and <paramref name="count"/> optional and positive. A 400 problem that changes nothing otherwise.
    /// </summary>
    public Results<NoContent, ProblemHttpResult> Set(IReadOnlyDictionary<string, TMode> modes, string? mode, int? forSeconds, int? count)
    {
        if (mode is null || !modes.TryGetValue(mode, out var value))
        {
            return Invalid($"mode must be one of {string.Join(", ", modes.Keys)}; got '{mode}'.");
        }

        if (forSeconds <= 0)
        {
            return Invalid($"forSeconds must be positive when given; got {forSeconds}.");
        }

        if (count <= 0)
        {
            return Invalid($"count must be positive when given; got {count}.");
        }

        Set(value, forSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null, count);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
