using Ada.Core.Couriers;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Ada.Couriers.Telegram;

public static class Extensions
{
    public static WebApplicationBuilder AddTelegramCourier(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelegramOptions>()
            .BindConfiguration(TelegramOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient(TelegramOptions.Section)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                MaxConnectionsPerServer = sp.GetRequiredService<IOptions<TelegramOptions>>().Value.Concurrency,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .ConfigureHttpClient((sp, http) =>
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<TelegramOptions>>().Value.RequestTimeoutSeconds));
        builder.Services.AddSingleton<ITelegramBotClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(TelegramOptions.Section);
            // RetryThreshold = 0: the library would otherwise sleep through a 429 itself; the courier
            // wants it at once, to go on with other chats while this one waits.
            return new TelegramBotClient(new TelegramBotClientOptions(options.Token, options.BaseUrl) { RetryThreshold = 0 }, http);
        });
        builder.Services.AddCourier<TelegramSender>();
        return builder;
    }
}
