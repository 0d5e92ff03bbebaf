namespace Ada.Couriers.Vk;

/// <summary>VK takes at most 9,000 characters per message (<c>messages.send</c>, <c>message.maxLength</c>); longer texts go out as several.</summary>
public static class VkText
{
    public const int MaxLength = 9000;

    /// <summary>
    /// Splits on the last line break before the limit, else the last space, else at the limit —
    /// never between the two halves of a surrogate pair. Whitespace at a cut is dropped.
    /// </summary>
    public static IReadOnlyList<string> Split(string text, int maxLength = MaxLength)
    {
        var parts = new List<string>();
        var rest = text.AsSpan();
        while (rest.Length > maxLength)
        {
            var window = rest[..maxLength];
            var cut = window.LastIndexOf('\n');
            if (cut < maxLength / 2)
            {
                cut = window.LastIndexOf(' ');
            }
            if (cut < maxLength / 2)
            {
                cut = char.IsHighSurrogate(rest[maxLength - 1]) ? maxLength - 1 : maxLength;
                parts.Add(rest[..cut].ToString());
                rest = rest[cut..];
                continue;
            }
            var part = rest[..cut].TrimEnd();
            if (part.Length > 0)
            {
                parts.Add(part.ToString());
            }
            rest = rest[(cut + 1)..];
        }
        // Whitespace left after the last cut is no part: VK refuses an empty message.
        if (parts.Count == 0 || !rest.IsWhiteSpace())
        {
            parts.Add(rest.ToString());
        }
        return parts;
    }
}
