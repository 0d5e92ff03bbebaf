using Microsoft.Extensions.Options;
using Ada.Sandbox.Email;
using Ada.Sandbox.Sms;
using Ada.Sandbox.Telegram;
using Ada.Sandbox.Vk;

namespace Ada.Sandbox;

public static class Extensions
{
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.AddControlToken();
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Inbox>();

        builder.Services.AddValidatedOptions<TelegramOptions>(TelegramOptions.Section);
        builder.Services.AddSingleton<TelegramState>();
        builder.Services.AddSingleton<TelegramUpdates>();
        builder.Services.AddSingleton<TelegramPeople>();
        builder.Services.AddSingleton<TelegramWebhookSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TelegramWebhookSender>());
        builder.Services.AddHttpClient(TelegramWebhookSender.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));

        builder.Services.AddValidatedOptions<VkOptions>(VkOptions.Section);
        builder.Services.AddSingleton<VkState>();
        builder.Services.AddSingleton<VkCallbackSender>();
        builder.Services.AddHttpClient(VkCallbackSender.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));

        builder.Services.AddValidatedOptions<SmsOptions>(SmsOptions.Section);
        builder.Services.AddValidatedOptions<SmsRuOptions>(SmsRuOptions.Section);
        builder.Services.AddSingleton<SmsState>();
        builder.Services.AddSingleton<SmsWebhooks>();
        builder.Services.AddSingleton<SmsDevice>();
        builder.Services.AddHttpClient(SmsWebhooks.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout =
                TimeSpan.FromMilliseconds(services.GetRequiredService<IOptions<SmsOptions>>().Value.WebhookTimeoutMilliseconds));

        builder.Services.AddValidatedOptions<EmailOptions>(EmailOptions.Section);
        builder.Services.AddSingleton<EmailState>();
        builder.Services.AddSingleton<SandboxChannels>();
        builder.Services.AddHostedService<SmtpSandbox>();

        return builder;
    }

    /// <summary>Settings bound from <paramref name="section"/> and checked at start: a misconfigured sandbox does not start.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
