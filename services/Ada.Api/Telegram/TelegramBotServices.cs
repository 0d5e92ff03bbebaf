using Ada.Core.Directory;
using Ada.Core.Hosting;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Ada.Api.Telegram;

public static class TelegramBotServices
{
    public const string HttpClientName = "TelegramBot";

    /// <summary>
    /// The bot: its options, the Bot API client, the update handler and its parts, and <see cref="TelegramBotHost"/>,
    /// which sets the bot up and, in polling mode, polls. Without <c>Telegram:Token</c> the bot is off and
    /// nothing of it runs.
    /// </summary>
    public static WebApplicationBuilder AddTelegramBot(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<TelegramBotOptions>(TelegramBotOptions.Section);
        services.AddHttpClient(HttpClientName);
        services.AddSingleton<ITelegramBotClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TelegramBotOptions>>().Value;
            if (!options.Enabled)
            {
                throw new InvalidOperationException("The Telegram bot is off: set Telegram__Token.");
            }
            // Getting updates must not sleep through a 429 inside the library; answers are few and may wait.
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new TelegramBotClient(new TelegramBotClientOptions(options.Token!, options.BaseUrl), http);
        });
        services.AddSingleton<BotIdentity>();
        services.AddSingleton<TelegramDirectory>();
        services.AddSingleton<UpdateOnce>();
        services.AddSingleton<BotReplies>();
        services.AddSingleton<BotCommands>();
        services.AddSingleton<LiveStatus>();
        services.AddSingleton<SendConversation>();
        services.AddSingleton<BotUpdates>();
        services.AddSingleton<TelegramBotSetup>();
        services.AddSingleton<TelegramPoller>();
        services.AddHostedService<TelegramBotHost>();
        return builder;
    }
}

/// <summary>Runs the bot's background work when the bot is on: its setup, following status messages, and the poller unless updates come by webhook.</summary>
public sealed class TelegramBotHost(IServiceProvider services, IOptions<TelegramBotOptions> options, ILogger<TelegramBotHost> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogInformation("The Telegram bot is off (no Telegram__Token)");
            return;
        }
        var setup = services.GetRequiredService<TelegramBotSetup>().RunAsync(stoppingToken);
        var following = services.GetRequiredService<LiveStatus>().RunAsync(stoppingToken);
        if (settings.UsesWebhook)
        {
            await Task.WhenAll(setup, following);
            return;
        }
        await Task.WhenAll(setup, following, services.GetRequiredService<TelegramPoller>().RunAsync(stoppingToken));
    }
}
