namespace Ada.Sandbox;

public sealed record ChannelCountersSnapshot(long Requests, long Sent, long Throttled, long Errors);

/// <summary>What one sandboxed provider has answered so far; errors excludes throttling.</summary>
public sealed class ChannelCounters
{
    private long requests;
    private long sent;
    private long throttled;
    private long errors;

    public void CountRequest() => Interlocked.Increment(ref requests);

    public void CountSent() => Interlocked.Increment(ref sent);

    public void CountThrottled() => Interlocked.Increment(ref throttled);

    public void CountError() => Interlocked.Increment(ref errors);

    public ChannelCountersSnapshot Snapshot() => new(
        Interlocked.Read(ref requests),
        Interlocked.Read(ref sent),
        Interlocked.Read(ref throttled),
        Interlocked.Read(ref errors));
}
