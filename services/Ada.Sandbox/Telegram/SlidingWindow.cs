namespace Ada.Sandbox.Telegram;

/// <summary>
/// A sliding one-second log of admitted calls. The limit is passed on each call so it can change at run time;
/// a lowered limit simply waits out the calls already logged.
/// </summary>
public sealed class SlidingWindow(TimeProvider time)
{
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(1);

    private readonly Queue<long> admitted = new();
    private readonly Lock gate = new();

    /// <summary>Whether one more call fits under limit now; if not, how long until it would.</summary>
    public bool HasRoom(int limit, long now, out TimeSpan wait)
    {
        lock (gate)
        {
            return HasRoomLocked(limit, now, out wait);
        }
    }

    public void Record(long now)
    {
        lock (gate)
        {
            admitted.Enqueue(now);
        }
    }

    public bool TryAcquire(int limit, long now, out TimeSpan wait)
    {
        lock (gate)
        {
            if (!HasRoomLocked(limit, now, out wait))
            {
                return false;
            }

            admitted.Enqueue(now);
            return true;
        }
    }

    private bool HasRoomLocked(int limit, long now, out TimeSpan wait)
    {
        while (admitted.Count > 0 && time.GetElapsedTime(admitted.Peek(), now) >= Length)
        {
            admitted.Dequeue();
        }

        if (admitted.Count < limit)
        {
            wait = TimeSpan.Zero;
            return true;
        }

        // Room opens when the call that keeps the count at the limit leaves the window.
        var blocking = admitted.ElementAt(admitted.Count - limit);
        wait = Length - time.GetElapsedTime(blocking, now);
        return false;
    }
}
