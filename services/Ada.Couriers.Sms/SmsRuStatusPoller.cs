using Ada.Core.Couriers;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;

namespace Ada.Couriers.Sms;

/// <summary>
/// SMS.ru's delivery reports, by looking them up: every <c>Sms:StatusPollSeconds</c> the texts due for a
/// look-up (<see cref="SmsRuPending"/>) are asked about in requests of 100 ids; a delivered or failed one moves
/// its receipt from <c>sent</c> (<see cref="CourierStore.UpdateReceiptAsync"/>, the history's counts follow) and
/// leaves the queue; one still on its way is asked again later, less often as it ages, and given up after
/// <c>Sms:StatusGiveUpHours</c> (its receipt stays <c>sent</c>). Every instance polls; a text looked up twice
/// changes its receipt once.
/// </summary>
public sealed class SmsRuStatusPoller(
    SmsRuClient client,
    SmsRuPending pending,
    CourierStore store,
    IOptions<SmsOptions> options,
    TimeProvider time,
    ILogger<SmsRuStatusPoller> logger) : BackgroundService
{
    /// <summary>Look-ups per round at most, so one round stays short however many texts wait.</summary>
    private const int RequestsPerRound = 10;

    /// <summary>How long a look-up in flight keeps other instances off the same texts.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>A receipt may not be written yet when the first report comes back; it is tried again this long.</summary>
    private static readonly TimeSpan ReceiptGrace = TimeSpan.FromMinutes(10);

    private readonly SmsOptions _options = options.Value;

    private TimeSpan Poll => TimeSpan.FromSeconds(_options.StatusPollSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Looking up SMS.ru delivery statuses every {Seconds} s", _options.StatusPollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Looking up SMS.ru delivery statuses failed; trying again in {Seconds} s", _options.StatusPollSeconds);
            }
            try
            {
                await Task.Delay(Poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: returns how many receipts changed.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var changed = 0;
        for (var round = 0; round < RequestsPerRound; round++)
        {
            var now = time.GetUtcNow();
            var due = await pending.DueAsync(now, SmsRuClient.MaxIdsPerStatusRequest);
            if (due.Count == 0)
            {
                break;
            }
            await pending.PostponeAsync(due.Select(d => (d, now + Lease)));
            var giveUp = TimeSpan.FromHours(_options.StatusGiveUpHours);
            var expired = due.Where(d => now - d.SentAt > giveUp).ToList();
            if (expired.Count > 0)
            {
                logger.LogInformation("Gave up looking up {Count} SMS.ru texts still undelivered after {Hours} h", expired.Count, _options.StatusGiveUpHours);
                await pending.RemoveAsync(expired);
            }
            var ask = due.Except(expired).ToList();
            if (ask.Count == 0)
            {
                continue;
            }
            var statuses = await client.StatusAsync([.. ask.Select(d => d.SmsId)], cancellationToken);
            if (statuses is null)
            {
                // SMS.ru could not be asked: these wait out their lease, the round ends.
                break;
            }
            changed += await ApplyAsync(ask, statuses, time.GetUtcNow());
        }
        return changed;
    }

    private async Task<int> ApplyAsync(IReadOnlyList<PendingSms> asked, IReadOnlyDictionary<string, SmsRuStatus> statuses, DateTimeOffset now)
    {
        var changed = 0;
        var done = new List<PendingSms>();
        var later = new List<(PendingSms, DateTimeOffset)>();
        foreach (var sms in asked)
        {
            var age = now - sms.SentAt;
            var next = now + SmsRuPending.NextCheckAfter(age, Poll);
            if (!statuses.TryGetValue(sms.SmsId, out var status) || status.IsUnknown || status.IsPending)
            {
                if (status?.IsUnknown == true && age > TimeSpan.FromHours(1))
                {
                    logger.LogWarning("SMS.ru does not know text {SmsId} an hour after sending; no longer looking it up", sms.SmsId);
                    done.Add(sms);
                }
                else
                {
                    later.Add((sms, next));
                }
                continue;
            }
            switch (await UpdateReceiptAsync(sms, status, now))
            {
                case true:
                    changed++;
                    done.Add(sms);
                    break;
                case false when age < ReceiptGrace:
                    later.Add((sms, next));
                    break;
                default:
                    done.Add(sms);
                    break;
            }
        }
        await pending.RemoveAsync(done);
        await pending.PostponeAsync(later);
        return changed;
    }

    /// <summary>True when the receipt moved; false when it could not (yet); null when there is none to move.</summary>
    private async Task<bool?> UpdateReceiptAsync(PendingSms sms, SmsRuStatus status, DateTimeOffset now)
    {
        if (await store.FindByProviderIdAsync(Channels.Sms, SmsProviderIds.SmsRu(sms.SmsId)) is not var (id, userId))
        {
            logger.LogWarning("SMS.ru text {SmsId} has no receipt to report to", sms.SmsId);
            return null;
        }
        var delivered = status.IsDelivered;
        var updated = await store.UpdateReceiptAsync(id, Channels.Sms, userId,
            delivered ? ReceiptStatus.Delivered : ReceiptStatus.Failed,
            delivered ? null : $"{status.Code}: {status.Text ?? "not delivered"}",
            delivered ? null : status.FailureClass,
            now) == ReceiptUpdate.Updated;
        if (updated)
        {
            logger.LogDebug("SMS.ru text {SmsId} of {MessageId} to {UserId}: {Status}", sms.SmsId, id, userId, status.Code);
        }
        return updated;
    }
}
