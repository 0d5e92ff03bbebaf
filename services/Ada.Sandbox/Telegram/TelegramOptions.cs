using System.ComponentModel.DataAnnotations;

namespace Ada.Sandbox.Telegram;

/// <summary>Startup settings of the Telegram Bot API stand-in; the control API changes them at run time.</summary>
public sealed record TelegramOptions : IValidatableObject
{
    public const string Section = "Sandbox:Telegram";

    /// <summary>When set, only this bot token is accepted; otherwise any well-formed token is.</summary>
    public string? Token { get; init; }

    /// <summary>The bot's @username, as getMe answers it and t.me links name it.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$", ErrorMessage = Section + ":BotUsername must be 5-32 letters, digits or _ ending in 'bot', e.g. ada_sandbox_bot.")]
    public string BotUsername { get; init; } = "ada_sandbox_bot";

    /// <summary>The first wait before a webhook delivery is tried again; it doubles up to ten times this.</summary>
    [Range(1, 60_000)]
    public int WebhookRetryMilliseconds { get; init; } = 200;

    /// <summary>Successful sendMessage calls per sliding second across all chats; 0 means unlimited.</summary>
    [Range(0, int.MaxValue)]
    public int MessagesPerSecond { get; init; }

    /// <summary>Successful sendMessage calls per sliding second to one chat; 0 means unlimited.</summary>
    [Range(0, int.MaxValue)]
    public int PerChatPerSecond { get; init; }

    /// <summary>Comma-separated chat ids that have blocked the bot.</summary>
    public string? BlockedChats { get; init; }

    /// <summary>Comma-separated chat ids whose users are deactivated.</summary>
    public string? DeactivatedChats { get; init; }

    /// <summary>Comma-separated chat ids that do not exist.</summary>
    public string? MissingChats { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Token) && !TelegramBotApi.TryReadBotId(Token, out _))
        {
            yield return new ValidationResult(
                $"{Section}:Token must look like '<digits>:<secret>', e.g. 123456:TEST.", [nameof(Token)]);
        }

        foreach (var (name, value) in new[]
        {
            (nameof(BlockedChats), BlockedChats),
            (nameof(DeactivatedChats), DeactivatedChats),
            (nameof(MissingChats), MissingChats),
        })
        {
            if (!IdList.TryParse(value, out _))
            {
                yield return new ValidationResult(
                    $"{Section}:{name} must be comma-separated integer chat ids, e.g. 42,-1001234; got '{value}'.", [name]);
            }
        }
    }
}
