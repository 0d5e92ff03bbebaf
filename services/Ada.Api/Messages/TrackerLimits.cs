using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ada.Api.Messages;

/// <summary><c>Tracker:*</c>: how many event streams one API instance keeps open, in all and per caller.</summary>
public sealed record TrackerOptions
{
    public const string Section = "Tracker";

    [Range(1, 1_000_000, ErrorMessage = "Tracker__MaxStreams must be between 1 and 1000000.")]
    public int MaxStreams { get; init; } = 2000;

    [Range(1, 10_000, ErrorMessage = "Tracker__MaxStreamsPerCaller must be between 1 and 10000.")]
    public int MaxStreamsPerCaller { get; init; } = 20;
}

/// <summary>
/// Open tracker streams of this instance: each holds a connection and a Redis subscription for up to
/// <see cref="TrackerApi.MaxTimeoutSeconds"/>, so their number is capped overall and per caller.
/// </summary>
public sealed class TrackerLimits(IOptions<TrackerOptions> options)
{
    private readonly Dictionary<string, int> _perCaller = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>A lease to dispose when the stream ends, or null (with the reason) when a cap is reached.</summary>
    public (IDisposable? Lease, string? Refusal) TryOpen(string callerId)
    {
        var settings = options.Value;
        lock (_perCaller)
        {
            if (_total >= settings.MaxStreams)
            {
                return (null, $"This API instance already serves {settings.MaxStreams} event streams; retry shortly.");
            }
            var mine = _perCaller.GetValueOrDefault(callerId);
            if (mine >= settings.MaxStreamsPerCaller)
            {
                return (null, $"You already have {mine} event streams open (at most {settings.MaxStreamsPerCaller}); close one first.");
            }
            _perCaller[callerId] = mine + 1;
            _total++;
            return (new Lease(this, callerId), null);
        }
    }

    private void Close(string callerId)
    {
        lock (_perCaller)
        {
            _total--;
            if (--_perCaller[callerId] == 0)
            {
                _perCaller.Remove(callerId);
            }
        }
    }

    private sealed class Lease(TrackerLimits limits, string callerId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                limits.Close(callerId);
            }
        }
    }
}
