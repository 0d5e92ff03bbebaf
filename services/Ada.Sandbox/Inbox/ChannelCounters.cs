namespace Ada.Sandbox;

/// <summary>One count of what a sandboxed provider answered, added to by request threads at once and read by <c>/sandbox/stats</c>.</summary>
public sealed class Counter
{
    private long value;

    public void Add() => Interlocked.Increment(ref value);

    public long Value => Interlocked.Read(ref value);
}

public sealed record ChannelCountersSnapshot(long Requests, long Sent, long Throttled, long Errors);

/// <summary>What one sandboxed provider has answered so far; errors excludes throttling.</summary>
public sealed class ChannelCounters
{
    public Counter Requests { get; } = new();
    public Counter Sent { get; } = new();
    public Counter Throttled { get; } = new();
    public Counter Errors { get; } = new();

    public ChannelCountersSnapshot Snapshot() => new(Requests.Value, Sent.Value, Throttled.Value, Errors.Value);
}
