using Ada.Core.Messages;

namespace Ada.Couriers.Vk;

/// <summary>VK takes at most 9,000 characters per message (<c>messages.send</c>, <c>message.maxLength</c>); longer texts go out as several.</summary>
public static class VkText
{
    public const int MaxLength = 9000;

    public static IReadOnlyList<string> Split(string text, int maxLength = MaxLength) => TextParts.Split(text, maxLength);
}
