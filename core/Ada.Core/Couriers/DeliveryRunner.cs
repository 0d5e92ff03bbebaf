using Ada.Core.Directory;
using Ada.Core.Hosting;
using Ada.Core.Messages;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ada.Core.Couriers;

/// <summary>
/// Sends one claimed message in one channel, from the recipients snapshot to the final report.
/// Recipients are read in batches; people who already have a receipt (a previous holder of the claim
/// wrote it) are skipped, so a resumed message continues where the last one stopped. Transient failures
/// wait in a bounded retry queue while the rest goes on. Every batch ends with a report, so trackers
/// move and a cancel is noticed; the renew loop notices a cancel within about a second too.
/// </summary>
public sealed class DeliveryRunner(
    IConnectionMultiplexer mux,
    CourierStore store,
    DirectoryStore directory,
    IChannelSender sender,
    CourierOptions options,
    TimeProvider time,
    ILogger<DeliveryRunner> logger)
{
    private readonly RetryBackoff _backoff = new(options);

    private string Channel => sender.Channel;

    /// <param name="first">The first batch as the claim script read it (<see cref="CourierStore.ClaimWithFirstBatchAsync"/>):
    /// used instead of reading it again; null reads it here.</param>
    public async Task RunAsync(HistoryDocument history, string owner, bool firstStart, CancellationToken stopping,
        FirstBatch? first = null)
    {
        var id = history.Id;
        var lease = TimeSpan.FromSeconds(options.LeaseSeconds);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var watch = new LeaseWatch();
        var renewing = RenewLoopAsync(id, owner, lease, stop, watch);
        AdaMetrics.MessagesSending.WithLabels(Channel).Inc();
        try
        {
            var ending = await SendToTheEndAsync(history, owner, firstStart, first, stop, watch, stopping);
            if (ending is Ending.Stopped or Ending.ClaimLost)
            {
                logger.LogInformation("Stopped sending {MessageId} via {Channel} ({Ending})", id, Channel,
                    stopping.IsCancellationRequested ? "shutting down" : ending.ToString());
                return;
            }
            if (ending is Ending.Cancelled or Ending.NothingLeft)
            {
                var result = await ReportDurablyAsync(id, owner, [], final: true);
                ending = result.Cancelled ? Ending.Cancelled : ending;
                logger.LogInformation("Finished {MessageId} via {Channel}: {Ending} (claim held: {Held})", id, Channel, ending, result.HoldsClaim);
                return;
            }
            logger.LogInformation("Finished {MessageId} via {Channel}: {Ending}", id, Channel, ending);
        }
        finally
        {
            AdaMetrics.MessagesSending.WithLabels(Channel).Dec();
            await stop.CancelAsync();
            await renewing;
            if (stopping.IsCancellationRequested)
            {
                await store.ReleaseAsync(id, Channel, owner);
            }
        }
    }

    /// <summary>How sending a message in this channel ended: the one answer to "was it cancelled?".</summary>
    private enum Ending
    {
        /// <summary>Everyone has a receipt and the final report is written (it rides on the last batch's report, or the expiry's).</summary>
        Finalized,
        /// <summary>Nobody was left to send to; the final report is still to write.</summary>
        NothingLeft,
        /// <summary>The message was cancelled (a report or the renew loop said so); the final report is still to write.</summary>
        Cancelled,
        /// <summary>The courier is shutting down: the claim is released and another instance resumes.</summary>
        Stopped,
        /// <summary>Another instance holds the claim now: it finishes the message.</summary>
        ClaimLost,
    }

    /// <summary>
    /// Sends, then merges what was learned along the way into one <see cref="Ending"/>: what the reports said, and what
    /// the renew loop saw (a cancel, a lost claim), which also stops the sending.
    /// </summary>
    private async Task<Ending> SendToTheEndAsync(HistoryDocument history, string owner, bool firstStart, FirstBatch? first,
        CancellationTokenSource stop, LeaseWatch watch, CancellationToken stopping)
    {
        Ending ending;
        try
        {
            ending = await SendAllAsync(history, owner, firstStart, first, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            ending = Ending.Stopped;
        }
        return (ending, watch.Status) switch
        {
            (Ending.Finalized, _) => Ending.Finalized,
            (_, LeaseStatus.Lost) => Ending.ClaimLost,
            (_, LeaseStatus.Cancelled) or (Ending.Cancelled, _) => Ending.Cancelled,
            _ when stopping.IsCancellationRequested => Ending.Stopped,
            _ => ending,
        };
    }

    /// <summary>Sends until every recipient has a receipt, reporting after every batch.</summary>
    private async Task<Ending> SendAllAsync(HistoryDocument history, string owner, bool firstStart, FirstBatch? first,
        CancellationToken stop)
    {
        var id = history.Id;
        var db = mux.GetDatabase();
        var message = new OutgoingMessage(id, history.Text, history.Urgent);
        // A message in waves sends the range of the snapshot that belongs to the channel's current wave.
        var wave = WaveOf(history);
        // The claim script read the first batch of a message without waves (one round trip instead of three).
        first = history.Waves is null ? first : null;
        var (cursor, total) = history.WaveRange(wave ?? 0) ?? (0, first?.Total ?? await db.ListLengthAsync(Keys.Recipients(id)));
        var retries = new PriorityQueue<Addressee, DateTimeOffset>();
        var firstSend = firstStart;
        while ((cursor < total || retries.Count > 0) && !stop.IsCancellationRequested)
        {
            if (history.ExpiresAtMs is { } expiresAtMs && time.GetUtcNow().ToUnixTimeMilliseconds() >= expiresAtMs)
            {
                return await ExpireRestAsync(db, history, owner, cursor, total, retries);
            }
            var receipts = new List<ReceiptWrite>();
            var batch = new List<Addressee>();
            if (cursor < total && retries.Count < sender.BatchSize)
            {
                RedisValue[] ids;
                bool[]? done = null;
                if (first is not null && cursor == 0 && first.Ids.Length > 0 && first.Ids.Length <= sender.BatchSize)
                {
                    (ids, done) = (first.Ids, first.Done);
                }
                else
                {
                    ids = await db.ListRangeAsync(Keys.Recipients(id), cursor, Math.Min(cursor + sender.BatchSize, total) - 1);
                }
                first = null;
                cursor += ids.Length;
                await ResolveAsync(db, id, ids, done, batch, receipts);
            }
            var now = time.GetUtcNow();
            while (batch.Count < sender.BatchSize && retries.TryPeek(out _, out var at) && at <= now)
            {
                batch.Add(retries.Dequeue());
            }
            if (batch.Count == 0 && receipts.Count == 0 && retries.TryPeek(out _, out var next))
            {
                await Task.Delay(Clamp(next - now), time, stop);
                continue;
            }
            if (batch.Count > 0)
            {
                if (firstSend)
                {
                    firstSend = false;
                    AdaMetrics.DueToSendLag.WithLabels(Channel).Observe(
                        Math.Max(0, (now.ToUnixTimeMilliseconds() - history.DeliverAtMs) / 1000.0));
                }
                // Each send is on record within milliseconds (SendRecorder), not when the whole batch is back.
                var recorder = new SendRecorder(early => ReportDurablyAsync(id, owner, early, final: false, wave),
                    TimeSpan.FromMilliseconds(options.RecordWindowMilliseconds));
                var outcomes = await sender.SendAsync(message, batch,
                    outcome => { if (ReceiptOf(outcome, AdaJson.Timestamp(time.GetUtcNow())) is { } r) { recorder.Add(r); } }, stop);
                var written = await recorder.CloseAsync();
                await ApplyAsync(outcomes, retries, receipts, written);
            }
            // Written even when stopping: whatever was sent is on record before the claim goes.
            var last = cursor >= total && retries.Count == 0 && !stop.IsCancellationRequested;
            var result = await ReportDurablyAsync(id, owner, receipts, final: last, wave);
            if (last)
            {
                return Ending.Finalized;
            }
            if (result.Cancelled)
            {
                logger.LogInformation("{MessageId} was cancelled; {Channel} stops", id, Channel);
                return Ending.Cancelled;
            }
        }
        stop.ThrowIfCancellationRequested();
        return Ending.NothingLeft;
    }

    /// <summary>The wave this channel sends of a message in waves (each of its receipts carries it); null without waves.</summary>
    private int? WaveOf(HistoryDocument history) => history.Waves is null ? null : history.Channels[Channel].WaveIndex;

    /// <summary>Skips people with a receipt already; turns missing contacts into no_contact receipts.</summary>
    /// <param name="done">Which of <paramref name="ids"/> have a receipt, when the claim read it; null reads it here.</param>
    private async Task ResolveAsync(IDatabase db, string id, RedisValue[] ids, bool[]? done, List<Addressee> batch,
        List<ReceiptWrite> receipts)
    {
        var existing = done is null
            ? db.HashGetAsync(Keys.Receipts(id), [.. ids.Select(u => (RedisValue)CourierStore.ReceiptField(Channel, u.ToString()))])
            : null;
        var addresses = db.HashGetAsync(Keys.Contacts(Channel), ids);
        if (existing is not null)
        {
            done = [.. (await existing).Select(r => !r.IsNull)];
        }
        var contacts = await addresses;
        for (var i = 0; i < ids.Length; i++)
        {
            if (done![i])
            {
                continue;
            }
            var userId = ids[i].ToString();
            if (contacts[i].IsNullOrEmpty)
            {
                receipts.Add(new ReceiptWrite(new Receipt(userId, Channel, ReceiptStatus.NoContact)));
                AdaMetrics.Recipients.WithLabels(Channel, ReceiptStatus.NoContact).Inc();
            }
            else
            {
                batch.Add(new Addressee(userId, contacts[i].ToString()));
            }
        }
    }

    /// <summary>The receipt of a final outcome (sent or failed); null for a retry.</summary>
    private ReceiptWrite? ReceiptOf(SendOutcome outcome, string at) => outcome switch
    {
        SendOutcome.Sent sent => new ReceiptWrite(new Receipt(sent.To.UserId, Channel, ReceiptStatus.Sent,
            ProviderMessageId: sent.ProviderMessageId, Attempts: sent.To.Attempts + 1, At: at)),
        SendOutcome.Failed failed => new ReceiptWrite(new Receipt(failed.To.UserId, Channel, ReceiptStatus.Failed, failed.Reason,
            Attempts: failed.To.Attempts + 1, At: at), failed.ErrorClass),
        _ => null,
    };

    /// <param name="written">Users whose receipts the <see cref="SendRecorder"/> already wrote.</param>
    private async Task ApplyAsync(IReadOnlyList<SendOutcome> outcomes, PriorityQueue<Addressee, DateTimeOffset> retries,
        List<ReceiptWrite> receipts, IReadOnlySet<string> written)
    {
        var now = time.GetUtcNow();
        var at = AdaJson.Timestamp(now);
        // One draw for the batch: people of one provider request (same attempts) come back together (RetryBackoff).
        var jitter = Random.Shared.NextDouble();
        foreach (var outcome in outcomes)
        {
            var to = outcome.To;
            if (outcome is not SendOutcome.Retry)
            {
                AdaMetrics.Recipients.WithLabels(Channel, outcome is SendOutcome.Sent ? ReceiptStatus.Sent : ReceiptStatus.Failed).Inc();
                if (!written.Contains(to.UserId))
                {
                    receipts.Add(ReceiptOf(outcome, at)!);
                }
            }
            switch (outcome)
            {
                case SendOutcome.Failed failed:
                    if (failed.Deactivate)
                    {
                        try
                        {
                            await directory.DeactivateContactAsync(Channel, to.UserId, to.Address);
                        }
                        catch (Exception e) when (TransientRedis.Is(e))
                        {
                            // The receipt matters more (it stops a resend); the next message meets the same refusal and deactivates then.
                            logger.LogWarning(e, "Could not deactivate the {Channel} contact of {UserId}", Channel, to.UserId);
                        }
                    }
                    break;
                case SendOutcome.Retry retry:
                    var attempts = to.Attempts + 1;
                    var limit = retry.Throttled ? options.MaxThrottledAttempts : options.MaxAttempts;
                    if (retry.Throttled)
                    {
                        AdaMetrics.ProviderThrottles.WithLabels(Channel).Inc();
                    }
                    else
                    {
                        AdaMetrics.ProviderErrors.WithLabels(Channel).Inc();
                    }
                    if (attempts >= limit)
                    {
                        AdaMetrics.Recipients.WithLabels(Channel, ReceiptStatus.Failed).Inc();
                        receipts.Add(new ReceiptWrite(new Receipt(to.UserId, Channel, ReceiptStatus.Failed,
                            $"{retry.Reason} (gave up after {attempts} attempts)", Attempts: attempts, At: at), retry.ErrorClass));
                    }
                    else
                    {
                        retries.Enqueue(to with { Attempts = attempts }, now + (retry.After ?? _backoff.Delay(to.Attempts, jitter)));
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// Writes a report, retrying while Redis is briefly away (restart, failover): its receipts name people who were
    /// sent to, and a receipt that never reaches Redis means the next holder of the claim sends to them again.
    /// The report script is idempotent (HSETNX per receipt), so a retry never counts twice. Gives up after
    /// <see cref="ReportPatience"/>; the message is then resumed from the receipts that did get through.
    /// </summary>
    private async Task<ReportResult> ReportDurablyAsync(string id, string owner, List<ReceiptWrite> receipts, bool final, int? wave = null)
    {
        if (wave is not null)
        {
            for (var i = 0; i < receipts.Count; i++)
            {
                receipts[i] = receipts[i] with { Receipt = receipts[i].Receipt with { Wave = wave } };
            }
        }
        var giveUpAt = time.GetUtcNow() + ReportPatience;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.ReportAsync(id, Channel, owner, receipts, final, time.GetUtcNow());
            }
            catch (Exception e) when (TransientRedis.Is(e) && time.GetUtcNow() < giveUpAt)
            {
                logger.LogWarning(e, "Reporting {Count} receipts of {MessageId} via {Channel} failed (attempt {Attempt}); retrying",
                    receipts.Count, id, Channel, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * attempt)), time);
            }
        }
    }

    private static readonly TimeSpan ReportPatience = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The message expired (<c>expiresAt</c>) before everyone was reached: nobody more is sent to. Everyone without a
    /// receipt — people waiting for a retry and the rest of the snapshot — gets an <c>expired</c> receipt, a thousand
    /// per report, and the last report closes the channel.
    /// </summary>
    private async Task<Ending> ExpireRestAsync(IDatabase db, HistoryDocument history, string owner, long cursor, long total,
        PriorityQueue<Addressee, DateTimeOffset> retries)
    {
        const int chunk = 1000;
        var id = history.Id;
        var at = AdaJson.Timestamp(time.GetUtcNow());
        var detail = $"the message expired at {history.ExpiresAt} before this person was reached";
        ReceiptWrite Expired(string userId)
        {
            AdaMetrics.Recipients.WithLabels(Channel, ReceiptStatus.Expired).Inc();
            return new ReceiptWrite(new Receipt(userId, Channel, ReceiptStatus.Expired, detail, At: at));
        }
        var receipts = retries.UnorderedItems.Select(r => Expired(r.Element.UserId)).ToList();
        retries.Clear();
        while (cursor < total)
        {
            var ids = await db.ListRangeAsync(Keys.Recipients(id), cursor, Math.Min(cursor + chunk, total) - 1);
            cursor += ids.Length;
            if (ids.Length == 0)
            {
                break;
            }
            var done = await db.HashGetAsync(Keys.Receipts(id), [.. ids.Select(u => (RedisValue)CourierStore.ReceiptField(Channel, u.ToString()))]);
            receipts.AddRange(ids.Where((_, i) => done[i].IsNull).Select(u => Expired(u.ToString())));
            if (receipts.Count >= chunk)
            {
                await ReportDurablyAsync(id, owner, receipts, final: false, WaveOf(history));
                receipts.Clear();
            }
        }
        await ReportDurablyAsync(id, owner, receipts, final: true, WaveOf(history));
        logger.LogInformation("{MessageId} expired at {ExpiresAt}; {Channel} sends no more", id, history.ExpiresAt, Channel);
        return Ending.Finalized;
    }

    private async Task RenewLoopAsync(string id, string owner, TimeSpan lease, CancellationTokenSource abort, LeaseWatch watch)
    {
        try
        {
            while (!abort.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(options.RenewMilliseconds), time, abort.Token);
                LeaseStatus status;
                try
                {
                    status = await store.RenewAsync(id, Channel, owner, lease);
                }
                catch (Exception e) when (TransientRedis.Is(e))
                {
                    // Redis is briefly away (restart, failover): the lease outlives a short gap; keep trying.
                    logger.LogWarning(e, "Could not renew the claim of {MessageId} via {Channel}", id, Channel);
                    continue;
                }
                if (status != LeaseStatus.Ok)
                {
                    watch.Status = status;
                    logger.LogInformation("Claim of {MessageId} via {Channel}: {Status}; stopping", id, Channel, status);
                    await abort.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>What the renew loop last learned about the claim.</summary>
    private sealed class LeaseWatch
    {
        public volatile LeaseStatus Status = LeaseStatus.Ok;
    }

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10)
        : wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
}
