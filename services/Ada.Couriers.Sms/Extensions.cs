using Ada.Core.Couriers;
using Ada.Core.Hosting;
using Microsoft.Extensions.Options;

namespace Ada.Couriers.Sms;

public static class Extensions
{
    public static WebApplicationBuilder AddSmsCourier(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SmsOptions>(SmsOptions.Section);
        services.AddHttpClient(SmsOptions.Section)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .ConfigureHttpClient((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<SmsOptions>>().Value;
                http.Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
                // A trailing slash, so relative paths ("message", "sms/send") go below the configured root.
                http.BaseAddress = new Uri(options.GatewayBaseUrl.ToString().TrimEnd('/') + "/");
                if (!options.IsSmsRu)
                {
                    http.DefaultRequestHeaders.Authorization = AndroidGatewayClient.BasicAuth(options.Username ?? "", options.Password ?? "");
                }
            });
        services.AddSingleton(sp => new AndroidGatewayClient(Http(sp), Options(sp), sp.GetRequiredService<ILogger<AndroidGatewayClient>>()));
        services.AddSingleton(sp => new SmsRuClient(Http(sp), Options(sp), sp.GetRequiredService<ILogger<SmsRuClient>>()));
        services.AddSingleton<ISmsGateway>(sp => Options(sp).IsSmsRu
            ? sp.GetRequiredService<SmsRuClient>()
            : sp.GetRequiredService<AndroidGatewayClient>());
        services.AddSingleton<SmsRuPending>();
        services.AddCourier<SmsSender>();

        // Which gateway is known only from configuration; the services that belong to one gateway are added for it alone.
        var smsRu = builder.Configuration.GetValue<string>($"{SmsOptions.Section}:{nameof(SmsOptions.Provider)}") == SmsOptions.SmsRu;
        if (smsRu)
        {
            services.AddHostedService<SmsRuStatusPoller>();
        }
        else if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{SmsOptions.Section}:{nameof(SmsOptions.PublicUrl)}"]))
        {
            services.AddHostedService<AndroidWebhookRegistrar>();
        }
        return builder;
    }

    private static HttpClient Http(IServiceProvider sp) => sp.GetRequiredService<IHttpClientFactory>().CreateClient(SmsOptions.Section);

    private static SmsOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<SmsOptions>>().Value;
}
