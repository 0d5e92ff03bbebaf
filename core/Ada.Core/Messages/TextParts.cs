namespace Ada.Core.Messages;

/// <summary>Cuts a text that is longer than a channel takes into several messages.</summary>
public static class TextParts
{
    /// <summary>
    /// Splits on the last line break before the limit, else the last space, else at the limit —
    /// never between the two halves of a surrogate pair. Whitespace at a cut is dropped.
    /// </summary>
    public static IReadOnlyList<string> Split(string text, int maxLength)
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
        // Whitespace left after the last cut is no part: providers refuse a blank text, which would fail a delivered message.
        if (parts.Count == 0 || !rest.IsWhiteSpace())
        {
            parts.Add(rest.ToString());
        }
        return parts;
    }
}
