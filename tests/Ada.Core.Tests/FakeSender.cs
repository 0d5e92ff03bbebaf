using System.Collections.Concurrent;

namespace Ada.Core.Tests;

/// <summary>
/// A provider that answers at once (or after <see cref="PerAddressee"/>), records every send it made, and
/// lets a test decide the outcome per person and attempt. It honours <c>stop</c> as the contract asks:
/// no new send once signalled, a Retry for everyone not tried.
/// </summary>
public sealed class FakeSender(string channel = "telegram", int batchSize = 100) : IChannelSender
{
    private readonly ConcurrentQueue<Send> _sends = new();

    public sealed record Send(string MessageId, string UserId, string Address, int Attempt, DateTimeOffset At);

    public string Channel => channel;
    public int BatchSize => batchSize;

    /// <summary>Decides what happens to one person on one attempt (attempt counts from 0); null = sent.</summary>
    public Func<Addressee, SendOutcome?> Decide { get; init; } = _ => null;

    public TimeSpan PerAddressee { get; init; } = TimeSpan.Zero;

    public IReadOnlyCollection<Send> Sends => _sends;

    public async Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees, CancellationToken stop)
    {
        var outcomes = new List<SendOutcome>(addressees.Count);
        foreach (var to in addressees)
        {
            if (stop.IsCancellationRequested)
            {
                outcomes.Add(NotTried(to));
                continue;
            }
            if (PerAddressee > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(PerAddressee, stop);
                }
                catch (OperationCanceledException)
                {
                    outcomes.Add(NotTried(to));
                    continue;
                }
            }
            _sends.Enqueue(new Send(message.Id, to.UserId, to.Address, to.Attempts, DateTimeOffset.UtcNow));
            outcomes.Add(Decide(to) ?? new SendOutcome.Sent(to, $"p-{to.UserId}-{to.Attempts}"));
        }
        return outcomes;
    }

    private static SendOutcome.Retry NotTried(Addressee to) => new(to, "stopped", "not sent before the courier stopped", TimeSpan.Zero);
}
