using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox;

/// <summary>
/// A provider's fault switched by the control API (<c>PUT /sandbox/{channel}/fault</c>) that hits every request until its
/// time is up, its count of hits is spent or it is replaced: Telegram's and VK's 5xx and hangs, the SMS gateway's lost
/// answers, the SMTP server's refusals. <typeparamref name="TMode"/>'s default value (its first member, <c>None</c>) is no fault.
/// </summary>
public sealed class ProviderFault<TMode>(TimeProvider time) where TMode : struct, Enum
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
    /// The control API's <c>PUT …/fault</c>: <paramref name="mode"/> one of the control names of <typeparamref name="TMode"/>;
    /// <paramref name="forSeconds"/> and <paramref name="count"/> optional and positive. A 400 problem that changes nothing otherwise.
    /// </summary>
    public Results<NoContent, ProblemHttpResult> Set(string? mode, int? forSeconds, int? count)
    {
        if (!ControlNames.TryParse<TMode>(mode, out var value))
        {
            return ControlProblems.Invalid(ControlNames.MustBeOneOf<TMode>("mode", mode));
        }

        if (forSeconds <= 0)
        {
            return ControlProblems.Invalid($"forSeconds must be positive when given; got {forSeconds}.");
        }

        if (count <= 0)
        {
            return ControlProblems.Invalid($"count must be positive when given; got {count}.");
        }

        Set(value, forSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null, count);
        return TypedResults.NoContent();
    }
}
