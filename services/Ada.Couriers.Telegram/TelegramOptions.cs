using System.ComponentModel.DataAnnotations;

namespace Ada.Couriers.Telegram;

/// <summary>Section <c>Telegram</c>: the bot, where the Bot API is, and how fast to send.</summary>
public sealed class TelegramOptions
{
    public const string Section = "Telegram";

    [Required(ErrorMessage = "Telegram:Token is required (environment variable Telegram__Token): the bot token from @BotFather.")]
    public string Token { get; set; } = "";

    [Required, Url]
    public string BaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>All instances together. Telegram's broadcasting limit is about 30 messages a second; 0 = unpaced.</summary>
    [Range(0, 100_000)]
    public double MessagesPerSecond { get; set; } = 30;

    /// <summary>Requests in flight at once, per instance.</summary>
    [Range(1, 512)]
    public int Concurrency { get; set; } = 16;

    [Range(1, 300)]
    public int RequestTimeoutSeconds { get; set; } = 30;
}
