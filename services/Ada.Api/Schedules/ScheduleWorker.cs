using Ada.Core;
using Ada.Core.Couriers;
using Ada.Core.Redis;
using Ada.Core.Schedules;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Schedules;

/// <summary>
/// Fires schedules in every API instance, on the couriers' clock: a schedule's next occurrence is a tick in the due
/// index with a delivery key under the schedule id, so the couriers' due clock touches it as it falls due and its
/// <c>expired</c> event arrives here through a <see cref="DueClock"/> of its own (events and sweeps, no touching).
/// Every instance hears every tick; the lease and the tick's compare-and-set in <see cref="ScheduleFirer"/> let one
/// fire it.
/// </summary>
public sealed class ScheduleWorker(
    IConnectionMultiplexer mux, ScheduleFirer firer, IOptions<SchedulesOptions> options, TimeProvider time,
    ILogger<ScheduleWorker> logger) : BackgroundService
{
    private readonly WorkQueue _due = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var clock = await DueClock.StartAsync(mux,
            new DueClock.Settings(TimeSpan.FromSeconds(options.Value.SweepSeconds), TouchEvery: null),
            ScheduleIds.Is, _due.Offer, time, logger);
        await Task.WhenAll(clock.RunAsync(stoppingToken), FireAsync(stoppingToken), FireAsync(stoppingToken));
    }

    private async Task FireAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in _due.TakeAsync(stoppingToken))
        {
            try
            {
                await firer.FireAsync(id);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The lease lapses and a sweep fires the tick again, with the same message id.
                logger.LogError(e, "Firing schedule {ScheduleId} failed; it will be retried", id);
            }
            finally
            {
                _due.Done(id);
            }
        }
    }
}
