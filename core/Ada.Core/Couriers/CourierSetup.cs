using Ada.Core.Directory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ada.Core.Couriers;

public static class CourierSetup
{
    /// <summary>Registers the courier runtime around one channel's sender.</summary>
    public static IServiceCollection AddCourier<TSender>(this IServiceCollection services)
        where TSender : class, IChannelSender
    {
        services.AddOptions<CourierOptions>().BindConfiguration(CourierOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IChannelSender, TSender>();
        services.AddSingleton<CourierStore>();
        services.AddSingleton<DirectoryStore>();
        services.AddSingleton<CourierRegistry>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CourierOptions>>().Value);
        services.AddSingleton<DeliveryRunner>();
        services.AddHostedService<CourierService>();
        return services;
    }
}
