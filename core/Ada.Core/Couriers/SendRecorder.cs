namespace Ada.Core.Couriers;

/// <summary>
/// Writes the receipts of one batch's sends as they happen rather than when the whole batch is back: the first
/// outcome opens a window of a few milliseconds, and everything that arrived by its end goes out in one report (one
/// round trip); outcomes arriving while it is written go in the next. A courier killed mid-batch therefore repeats only
/// the requests in flight (and the sends of the last window), not the whole batch. The batch's own report afterwards
/// skips what was written here (<see cref="CloseAsync"/>) and carries the rest; the report script's HSETNX makes a
/// receipt written twice count once anyway.
/// </summary>
internal sealed class SendRecorder(Func<List<ReceiptWrite>, Task> write, TimeSpan window)
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<ReceiptWrite> _pending = [];
    private Task _flushing = Task.CompletedTask;
    private bool _scheduled;
    private bool _closed;

    public void Add(ReceiptWrite receipt)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }
            _pending.Add(receipt);
            if (!_scheduled)
            {
                _scheduled = true;
                _flushing = FlushSoonAsync();
            }
        }
    }

    private async Task FlushSoonAsync()
    {
        // The window coalesces the sends of the next few milliseconds; a batch that ends first reports them itself.
        await Task.WhenAny(Task.Delay(window), _closing.Task);
        while (true)
        {
            List<ReceiptWrite> batch;
            lock (_lock)
            {
                if (_pending.Count == 0 || _closed)
                {
                    _scheduled = false;
                    return;
                }
                batch = _pending;
                _pending = [];
            }
            await write(batch);
            lock (_lock)
            {
                foreach (var receipt in batch)
                {
                    _written.Add(receipt.Receipt.UserId);
                }
            }
        }
    }

    /// <summary>Stops recording, waits for a write under way, and returns the users whose receipts are written.</summary>
    public async Task<IReadOnlySet<string>> CloseAsync()
    {
        Task flushing;
        lock (_lock)
        {
            _closed = true;
            flushing = _flushing;
        }
        _closing.TrySetResult();
        try
        {
            await flushing;
        }
        catch (Exception)
        {
            // Not known to be written: the batch's report carries those receipts again.
        }
        lock (_lock)
        {
            return _written;
        }
    }
}
