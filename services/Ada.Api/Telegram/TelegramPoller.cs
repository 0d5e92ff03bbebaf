using Ada.Core;
using Ada.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;

namespace Ada.Api.Telegram;

/// <summary>
/// Long polling (<c>Telegram:Updates=polling</c>, the default). Telegram allows one <c>getUpdates</c> caller per
/// bot (a second gets 409 Conflict), so of all API instances exactly one polls: the holder of the
/// <c>telegram:poller</c> lease (<see cref="RedisLease"/>), renewed every third of its length. The others try
/// to take it every second, so when the poller dies another polls within <c>Telegram:PollerLeaseSeconds</c>
/// (5) plus a second. An update is acknowledged (the next <c>offset</c>) only after <see cref="BotUpdates"/>
/// recorded its work; Telegram keeps unacknowledged updates, so a poller that dies mid-batch loses nothing,
/// and the once-guard keeps the new poller from acting twice.
/// </summary>
public sealed class TelegramPoller(
    ITelegramBotClient bot, BotUpdates updates, IConnectionMultiplexer mux, AdaScripts scripts, IOptions<TelegramBotOptions> options,
    TimeProvider time, ILogger<TelegramPoller> logger)
{
    /// <summary>An update whose handling keeps failing is given up after this many tries, with an error in the log.</summary>
    public const int MaxAttempts = 5;

    private static readonly TimeSpan Standby = TimeSpan.FromSeconds(1);

    private readonly RedisLease _lease = new(mux, scripts, Keys.TelegramPoller, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}");
    private readonly Dictionary<int, int> _failures = [];

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var lease = TimeSpan.FromSeconds(options.Value.PollerLeaseSeconds);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (await _lease.HoldAsync(lease))
                    {
                        await PollWhileHeldAsync(lease, stoppingToken);
                    }
                    else
                    {
                        await Task.Delay(Standby, time, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Telegram polling failed; trying again in {Seconds} s", Standby.TotalSeconds);
                    await Task.Delay(Standby, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await ReleaseAsync();
        }
    }

    private async Task PollWhileHeldAsync(TimeSpan lease, CancellationToken stoppingToken)
    {
        using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewAsync(lease, held);
        logger.LogInformation("This instance polls Telegram for the bot's updates ({Holder})", _lease.Holder);
        try
        {
            // Polling does not work while a webhook is set (e.g. left by an earlier Telegram:Updates=webhook).
            await bot.DeleteWebhook(cancellationToken: held.Token);
            int? offset = null;
            while (!held.IsCancellationRequested)
            {
                Update[] batch;
                try
                {
                    batch = await bot.GetUpdates(offset, 100, options.Value.PollSeconds, TelegramBotSetup.AllowedUpdates, held.Token);
                }
                catch (ApiRequestException e) when (e.ErrorCode == StatusCodes.Status409Conflict)
                {
                    // Another getUpdates is still open at Telegram (a poller that just lost its lease or died).
                    logger.LogInformation("getUpdates answered 409 Conflict; polling again in {Seconds} s", Standby.TotalSeconds);
                    await Task.Delay(Standby, time, held.Token);
                    continue;
                }
                offset = await HandleBatchAsync(batch, offset, held.Token);
            }
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("This instance lost the Telegram poller lease; another instance polls now");
        }
        finally
        {
            await held.CancelAsync();
            await renewing;
        }
    }

    /// <summary>Acts on the updates in order; returns the offset that acknowledges those done.</summary>
    private async Task<int?> HandleBatchAsync(Update[] batch, int? offset, CancellationToken held)
    {
        foreach (var update in batch)
        {
            OnceTurn turn;
            try
            {
                turn = await updates.HandleAsync(update);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var failures = _failures[update.Id] = _failures.GetValueOrDefault(update.Id) + 1;
                if (failures < MaxAttempts)
                {
                    logger.LogWarning(e, "Telegram update {UpdateId} failed (try {Attempt} of {MaxAttempts}); trying again", update.Id, failures, MaxAttempts);
                    await Task.Delay(Standby, time, held);
                    return offset;
                }
                logger.LogError(e, "Gave up Telegram update {UpdateId} after {MaxAttempts} tries; it is acknowledged unhandled", update.Id, MaxAttempts);
                turn = OnceTurn.Done;
            }
            _failures.Remove(update.Id);
            if (turn == OnceTurn.Busy)
            {
                // Another instance is acting on it (it held the lease a moment ago): acknowledge nothing yet.
                await Task.Delay(Standby, time, held);
                return offset;
            }
            offset = update.Id + 1;
        }
        return offset;
    }

    private async Task RenewAsync(TimeSpan lease, CancellationTokenSource held)
    {
        try
        {
            while (!held.IsCancellationRequested)
            {
                await Task.Delay(lease / 3, time, held.Token);
                bool kept;
                try
                {
                    kept = await _lease.HoldAsync(lease);
                }
                catch (RedisException e)
                {
                    logger.LogWarning(e, "Could not renew the Telegram poller lease");
                    continue;
                }
                if (!kept)
                {
                    await held.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Polling stopped.
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await _lease.ReleaseAsync();
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Could not give back the Telegram poller lease; it lapses by itself");
        }
    }
}
