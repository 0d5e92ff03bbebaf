using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Ada.Core.Redis;

/// <summary>
/// The ids a service instance should act on, fed by a <see cref="DueClock"/>: each id waits at most once, is taken by
/// one worker at a time, and an id marked settled is not offered again until its mark lapses (so sweeps do not claim
/// finished messages again and again). Bounded: when full, an offer is dropped and the next sweep offers it again.
/// </summary>
public sealed class WorkQueue
{
    private readonly Channel<string> _ids = Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, byte> _waiting = new();
    private readonly ConcurrentDictionary<string, byte> _taken = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _settled = new();

    public void Offer(string id)
    {
        if (!_taken.ContainsKey(id) && !_settled.ContainsKey(id) && _waiting.TryAdd(id, 0) && !_ids.Writer.TryWrite(id))
        {
            _waiting.TryRemove(id, out _);
        }
    }

    /// <summary>The ids for one worker, each taken until <see cref="Done"/>; ids another worker holds or that settled meanwhile are skipped.</summary>
    public async IAsyncEnumerable<string> TakeAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken stoppingToken)
    {
        await foreach (var id in _ids.Reader.ReadAllAsync(stoppingToken))
        {
            _waiting.TryRemove(id, out _);
            if (!_settled.ContainsKey(id) && _taken.TryAdd(id, 0))
            {
                yield return id;
            }
        }
    }

    public void Done(string id) => _taken.TryRemove(id, out _);

    /// <summary>Nothing more to do for <paramref name="id"/> here until <paramref name="until"/>.</summary>
    public void Settle(string id, DateTimeOffset until) => _settled[id] = until;

    public void ForgetSettledBefore(DateTimeOffset now)
    {
        foreach (var (id, until) in _settled)
        {
            if (until < now)
            {
                _settled.TryRemove(id, out _);
            }
        }
    }
}
