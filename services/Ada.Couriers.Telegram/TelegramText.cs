using Ada.Core.Messages;

namespace Ada.Couriers.Telegram;

/// <summary>Telegram takes at most 4096 characters per message; longer texts go out as several.</summary>
public static class TelegramText
{
    public const int MaxLength = 4096;

    public static IReadOnlyList<string> Split(string text, int maxLength = MaxLength) => TextParts.Split(text, maxLength);
}
