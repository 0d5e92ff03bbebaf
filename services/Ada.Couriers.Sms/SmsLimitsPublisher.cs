using Ada.Core.Couriers;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Couriers.Sms;

/// <summary>
/// Tells the API how long an SMS may be (<see cref="ChannelLimits.MaxSmsSegments"/> = <c>Sms:MaxSegments</c>), so
/// it refuses longer texts at queue time with a 400. Published at start and again with every heartbeat,
/// so a changed setting and a flushed Redis are both picked up.
/// </summary>
public sealed class SmsLimitsPublisher(
    CourierRegistry registry,
    IOptions<SmsOptions> options,
    IOptions<CourierOptions> courier,
    TimeProvider time,
    ILogger<SmsLimitsPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limits = new ChannelLimits(MaxSmsSegments: options.Value.MaxSegments);
        logger.LogInformation("SMS texts are limited to {MaxSegments} segments", limits.MaxSmsSegments);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await registry.PublishLimitsAsync(Channels.Sms, limits);
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Publishing the limits of {Channel} failed", Channels.Sms);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(courier.Value.HeartbeatSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
