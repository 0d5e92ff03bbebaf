using Ada.Core.Couriers;
using Ada.Core.Hosting;
using Microsoft.Extensions.Options;

namespace Ada.Couriers.Vk;

public static class Extensions
{
    public static WebApplicationBuilder AddVkCourier(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<VkOptions>(VkOptions.Section);
        builder.Services.AddHttpClient(VkOptions.Section)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                MaxConnectionsPerServer = sp.GetRequiredService<IOptions<VkOptions>>().Value.Concurrency,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .ConfigureHttpClient((sp, http) =>
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<VkOptions>>().Value.RequestTimeoutSeconds));
        builder.Services.AddSingleton(sp => new VkApiClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(VkOptions.Section),
            sp.GetRequiredService<IOptions<VkOptions>>().Value));
        builder.Services.AddCourier<VkSender>();
        return builder;
    }
}
