using Microsoft.Extensions.Options;

namespace Ada.Api.Telegram;

/// <summary>
/// The bot's @username, for deep links <c>https://t.me/&lt;bot&gt;?start=&lt;code&gt;</c>: from
/// <c>Telegram:BotUsername</c>, else learnt from <c>getMe</c> at start (<see cref="TelegramBotSetup"/>).
/// </summary>
public sealed class BotIdentity(IOptions<TelegramBotOptions> options)
{
    private volatile string? _username = options.Value.Enabled ? options.Value.BotUsername : null;

    /// <summary>Null while the bot is off or before getMe answered.</summary>
    public string? Username => _username;

    public void Learn(string username) => _username ??= username;

    /// <summary>The link that opens the bot and sends it <c>/start &lt;code&gt;</c>; null when the bot is unknown.</summary>
    public string? DeepLink(string code) => Username is { } bot ? $"https://t.me/{bot}?start={Uri.EscapeDataString(code)}" : null;
}
