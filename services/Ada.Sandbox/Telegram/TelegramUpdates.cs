namespace Ada.Sandbox.Telegram;

public sealed record WebhookSettings(Uri Url, string? SecretToken, int MaxConnections);

/// <summary>One POST of an update to the webhook: Status is what it answered, Error when it did not answer.</summary>
public sealed record WebhookAttempt(int UpdateId, Uri Url, int? Status, string? Error, bool SecretTokenSent, DateTimeOffset AttemptedAt)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

public sealed record TelegramUpdatesSnapshot(
    int PendingUpdates, int LastUpdateId, bool Polling, long Conflicts, string? WebhookUrl, IReadOnlyList<string>? AllowedUpdates);

/// <summary>
/// The bot's update queue, as Telegram keeps it: updates wait until getUpdates acknowledges them with a higher offset
/// or the webhook answers 2xx. One long poll at a time; getUpdates and a webhook exclude each other. The sandbox is
/// one bot's world: every accepted token sees the same queue.
/// </summary>
public sealed class TelegramUpdates(TimeProvider time)
{
    public const string TerminatedByOtherGetUpdates =
        "terminated by other getUpdates request; make sure that only one bot instance is running";

    public const string WebhookIsActive =
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

    /// <summary>The types Telegram leaves out when allowed_updates is empty or was never given.</summary>
    public static readonly string[] ExcludedByDefault = ["chat_member", "message_reaction", "message_reaction_count"];

    /// <summary>A longer timeout is held this long, so an HttpClient with the default 100 s timeout never gives up first.</summary>
    public static readonly TimeSpan MaxLongPoll = TimeSpan.FromSeconds(50);

    private const int KeptAttempts = 1000;
    private const int KeptUpdates = 1000;

    private readonly Lock gate = new();
    private readonly List<BotUpdate> pending = [];
    private readonly Queue<BotUpdate> recent = new();
    private readonly Queue<WebhookAttempt> attempts = new();
    private TaskCompletionSource changed = NewSignal();
    private int lastUpdateId;
    private HashSet<string>? allowed;
    private WebhookSettings? webhook;
    private (DateTimeOffset At, string Message)? lastWebhookError;
    private Poll? poller;
    private long conflicts;

    /// <summary>Queues an update unless the bot has not subscribed to its type; null then.</summary>
    public BotUpdate? Add(string type, Func<int, BotUpdate> create)
    {
        lock (gate)
        {
            if (allowed is null ? ExcludedByDefault.Contains(type) : !allowed.Contains(type))
            {
                return null;
            }

            var update = create(++lastUpdateId);
            pending.Add(update);
            recent.Enqueue(update);
            if (recent.Count > KeptUpdates)
            {
                recent.Dequeue();
            }

            Signal();
            return update;
        }
    }

    /// <summary>
    /// Answers at once when updates wait or timeout is 0; otherwise holds the call until one arrives or the timeout
    /// passes. A newer call ends a held one with 409, as Telegram does when two bot instances poll.
    /// </summary>
    public async Task<BotApiResponse> GetUpdatesAsync(
        int? offset, int limit, int timeoutSeconds, IReadOnlyList<string>? allowedUpdates, CancellationToken aborted)
    {
        var poll = new Poll();
        lock (gate)
        {
            if (webhook is not null)
            {
                return BotApiResponse.Conflict(WebhookIsActive);
            }

            if (allowedUpdates is not null)
            {
                allowed = allowedUpdates.Count == 0 ? null : [.. allowedUpdates];
            }

            Acknowledge(offset);
            if (poller is not null)
            {
                poller.Terminated = true;
                conflicts++;
                Signal();
            }

            poller = poll;
        }

        var hold = TimeSpan.FromSeconds(timeoutSeconds) < MaxLongPoll ? TimeSpan.FromSeconds(timeoutSeconds) : MaxLongPoll;
        var started = time.GetTimestamp();
        try
        {
            while (true)
            {
                Task wake;
                var left = hold - time.GetElapsedTime(started);
                lock (gate)
                {
                    if (poll.Terminated)
                    {
                        return BotApiResponse.Conflict(TerminatedByOtherGetUpdates);
                    }

                    if (webhook is not null)
                    {
                        return BotApiResponse.Conflict(WebhookIsActive);
                    }

                    if (pending.Count > 0 || left <= TimeSpan.Zero)
                    {
                        return BotApiResponse.Success(pending.Take(limit).ToArray());
                    }

                    wake = changed.Task;
                }

                try
                {
                    await wake.WaitAsync(left, time, aborted);
                }
                catch (TimeoutException)
                {
                    // The loop answers with what there is: nothing.
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return BotApiResponse.Success(Array.Empty<BotUpdate>());
        }
        finally
        {
            lock (gate)
            {
                if (poller == poll)
                {
                    poller = null;
                }
            }
        }
    }

    /// <summary>Null url removes the webhook. Returns the description Telegram gives beside result true.</summary>
    public string SetWebhook(WebhookSettings? settings, IReadOnlyList<string>? allowedUpdates, bool dropPendingUpdates)
    {
        lock (gate)
        {
            var previous = webhook;
            webhook = settings;
            if (allowedUpdates is not null)
            {
                allowed = allowedUpdates.Count == 0 ? null : [.. allowedUpdates];
            }

            if (dropPendingUpdates)
            {
                pending.Clear();
            }

            if (settings is not null && previous?.Url != settings.Url)
            {
                lastWebhookError = null;
            }

            Signal();
            return (previous, settings) switch
            {
                (null, null) => "Webhook is already deleted",
                (_, null) => "Webhook was deleted",
                ({ } before, { } after) when before == after => "Webhook is already set",
                _ => "Webhook was set",
            };
        }
    }

    public BotWebhookInfo GetWebhookInfo()
    {
        lock (gate)
        {
            return new BotWebhookInfo(
                webhook?.Url.AbsoluteUri ?? "",
                false,
                pending.Count,
                webhook is null ? null : lastWebhookError?.At.ToUnixTimeSeconds(),
                webhook is null ? null : lastWebhookError?.Message,
                webhook?.MaxConnections,
                webhook is null ? null : allowed?.Order(StringComparer.Ordinal).ToArray());
        }
    }

    /// <summary>Waits until a webhook is set and an update waits for it; the oldest comes first.</summary>
    public async Task<(WebhookSettings Webhook, BotUpdate Update)> NextForWebhookAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wake;
            lock (gate)
            {
                if (webhook is not null && pending.Count > 0)
                {
                    return (webhook, pending[0]);
                }

                wake = changed.Task;
            }

            await wake.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Acknowledged by a 2xx answer, the update is gone; otherwise it stays first in line and the error is kept.</summary>
    public void RecordAttempt(WebhookAttempt attempt)
    {
        lock (gate)
        {
            attempts.Enqueue(attempt);
            if (attempts.Count > KeptAttempts)
            {
                attempts.Dequeue();
            }

            if (attempt.Succeeded)
            {
                pending.RemoveAll(update => update.UpdateId == attempt.UpdateId);
                Signal();
            }
            else
            {
                lastWebhookError = (attempt.AttemptedAt, attempt.Error ?? $"Wrong response from the webhook: {attempt.Status}");
            }
        }
    }

    public IReadOnlyList<WebhookAttempt> ReadAttempts()
    {
        lock (gate)
        {
            return [.. attempts];
        }
    }

    public void ClearAttempts()
    {
        lock (gate)
        {
            attempts.Clear();
        }
    }

    /// <summary>One of the last updates made, to send again as Telegram does when a webhook's answer is lost.</summary>
    public (WebhookSettings? Webhook, BotUpdate? Update) FindForRedelivery(int updateId)
    {
        lock (gate)
        {
            return (webhook, recent.FirstOrDefault(update => update.UpdateId == updateId));
        }
    }

    public TelegramUpdatesSnapshot Snapshot()
    {
        lock (gate)
        {
            return new TelegramUpdatesSnapshot(
                pending.Count,
                lastUpdateId,
                poller is not null,
                conflicts,
                webhook?.Url.AbsoluteUri,
                allowed?.Order(StringComparer.Ordinal).ToArray());
        }
    }

    /// <summary>
    /// A positive offset confirms every update below it; a negative one keeps only the last -offset updates.
    /// </summary>
    private void Acknowledge(int? offset)
    {
        switch (offset)
        {
            case > 0:
                pending.RemoveAll(update => update.UpdateId < offset);
                break;
            case < 0:
                pending.RemoveRange(0, Math.Max(0, pending.Count + offset.Value));
                break;
        }
    }

    private void Signal()
    {
        var previous = changed;
        changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Poll
    {
        public bool Terminated;
    }
}
