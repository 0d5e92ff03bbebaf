using Ada.Core.Couriers;
using Ada.Core.Hosting;

namespace Ada.Api.Couriers;

/// <summary>
/// Keeps the channel gauges current (<c>ada_channel_instances</c>, <c>ada_channel_waiting_for_courier</c>): a registered
/// channel without a live courier is an outage to alert on — messages are accepted and wait for it.
/// </summary>
public sealed class ChannelWatch(CourierRegistry registry, ILogger<ChannelWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var down = new HashSet<string>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                foreach (var channel in await registry.ChannelsAsync(fresh: true))
                {
                    AdaMetrics.ChannelInstances.WithLabels(channel.Name).Set(channel.Instances);
                    AdaMetrics.ChannelWaitingForCourier.WithLabels(channel.Name).Set(channel.Live ? 0 : 1);
                    if (!channel.Live && down.Add(channel.Name))
                    {
                        logger.LogWarning("No courier of {Channel} is alive (last heartbeat {LastSeen}); its messages wait for one",
                            channel.Name, channel.LastSeen);
                    }
                    else if (channel.Live && down.Remove(channel.Name))
                    {
                        logger.LogInformation("A courier of {Channel} is back", channel.Name);
                    }
                }
            }
            catch (Exception e) when (TransientRedis.Is(e))
            {
                logger.LogWarning(e, "Reading the channel registry failed");
            }
        }
        while (await Tick(timer, stoppingToken));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
