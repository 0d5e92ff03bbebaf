using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.Enums;

namespace Ada.Api.Telegram;

/// <summary>
/// At start, until Telegram has said yes to each: learn the bot's username (<c>getMe</c>, unless configured),
/// set the command lists (<see cref="BotCommands"/>), and in webhook mode <c>setWebhook</c> with the URL and
/// secret from configuration. Every API instance does it; each call is idempotent.
/// </summary>
public sealed class TelegramBotSetup(
    ITelegramBotClient bot, BotIdentity identity, BotCommands commands, IOptions<TelegramBotOptions> options, TimeProvider time,
    ILogger<TelegramBotSetup> logger)
{
    /// <summary>What the bot needs to hear about: messages, button presses, and being blocked or unblocked.</summary>
    public static readonly UpdateType[] AllowedUpdates = [UpdateType.Message, UpdateType.CallbackQuery, UpdateType.MyChatMember];

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var wait = TimeSpan.FromSeconds(1);
        var identified = identity.Username is not null;
        var commandsSet = false;
        var webhookSet = !settings.UsesWebhook;
        while (!stoppingToken.IsCancellationRequested && !(identified && commandsSet && webhookSet))
        {
            try
            {
                if (!identified)
                {
                    var me = await bot.GetMe(stoppingToken);
                    identity.Learn(me.Username ?? throw new InvalidOperationException("getMe answered a bot without a username."));
                    identified = true;
                }
                if (!commandsSet)
                {
                    await commands.SetDefaultAsync(stoppingToken);
                    commandsSet = true;
                }
                if (!webhookSet)
                {
                    await bot.SetWebhook(settings.WebhookUrl!, allowedUpdates: AllowedUpdates, secretToken: settings.WebhookSecret,
                        cancellationToken: stoppingToken);
                    webhookSet = true;
                    logger.LogInformation("Telegram sends the bot's updates to the webhook {WebhookUrl}", settings.WebhookUrl);
                }
            }
            catch (Exception e) when (e is ApiRequestException or HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Setting up the Telegram bot failed; retrying in {Seconds} s", wait.TotalSeconds);
                await Task.Delay(wait, time, stoppingToken);
                wait = TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds * 2, 30));
            }
        }
        if (identified)
        {
            logger.LogInformation("The Telegram bot @{BotUsername} is set up ({Updates})", identity.Username, settings.UsesWebhook ? "webhook" : "long polling");
        }
    }
}
