using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Ada.Api.Telegram;

/// <summary>
/// <c>Telegram:*</c> as the API reads it, for the bot: the token (a secret: no default, never logged; without
/// it the bot is off), where the Bot API is, and how updates come in — long polling (the default: a
/// university server often has no public HTTPS) or Telegram's webhook. The Telegram courier reads its own
/// keys (<c>Telegram:MessagesPerSecond</c>, …) from the same section.
/// </summary>
public sealed partial record TelegramBotOptions : IValidatableObject
{
    public const string Section = "Telegram";
    public const string Polling = "polling";
    public const string Webhook = "webhook";

    /// <summary>The bot token from @BotFather; the same bot the courier sends with.</summary>
    public string? Token { get; init; }

    public string BaseUrl { get; init; } = "https://api.telegram.org";

    /// <summary><c>polling</c> (getUpdates, one poller among all API instances) or <c>webhook</c>.</summary>
    public string Updates { get; init; } = Polling;

    /// <summary>The public HTTPS address of <c>POST /v1/telegram/webhook</c>, given to <c>setWebhook</c>.</summary>
    public string? WebhookUrl { get; init; }

    /// <summary>Telegram sends it in <c>X-Telegram-Bot-Api-Secret-Token</c> with every update (1-256 of <c>A-Za-z0-9_-</c>).</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>The bot's @username for deep links; when unset, asked of <c>getMe</c>.</summary>
    public string? BotUsername { get; init; }

    /// <summary>How long a <c>getUpdates</c> request waits for an update (Telegram's long-polling <c>timeout</c>).</summary>
    [Range(1, 50, ErrorMessage = "Telegram__PollSeconds must be between 1 and 50.")]
    public int PollSeconds { get; init; } = 10;

    /// <summary>The poller's lease: another API instance takes over polling this long after the poller died.</summary>
    [Range(2, 60, ErrorMessage = "Telegram__PollerLeaseSeconds must be between 2 and 60.")]
    public int PollerLeaseSeconds { get; init; } = 5;

    public bool Enabled => !string.IsNullOrEmpty(Token);

    public bool UsesWebhook => string.Equals(Updates, Webhook, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Updates, Polling, StringComparison.OrdinalIgnoreCase) && !UsesWebhook)
        {
            yield return new ValidationResult($"Telegram__Updates must be '{Polling}' or '{Webhook}'; got '{Updates}'.", [nameof(Updates)]);
        }
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"Telegram__BaseUrl must be an absolute URL, e.g. https://api.telegram.org; got '{BaseUrl}'.",
                [nameof(BaseUrl)]);
        }
        if (BotUsername is not null && !Username().IsMatch(BotUsername))
        {
            yield return new ValidationResult($"Telegram__BotUsername must be the bot's username without '@' (5-32 letters, digits, '_').",
                [nameof(BotUsername)]);
        }
        if (!Enabled || !UsesWebhook)
        {
            yield break;
        }
        if (!Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            yield return new ValidationResult(
                "Telegram__Updates=webhook needs Telegram__WebhookUrl: the public HTTPS address of /v1/telegram/webhook, " +
                "e.g. https://ada.example.edu/v1/telegram/webhook.", [nameof(WebhookUrl)]);
        }
        if (WebhookSecret is null || !Secret().IsMatch(WebhookSecret))
        {
            yield return new ValidationResult(
                "Telegram__Updates=webhook needs Telegram__WebhookSecret: 1-256 characters of A-Z, a-z, 0-9, '_' and '-'.",
                [nameof(WebhookSecret)]);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex Secret();

    [GeneratedRegex("^[A-Za-z0-9_]{5,32}$")]
    private static partial Regex Username();
}
