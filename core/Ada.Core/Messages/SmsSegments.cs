namespace Ada.Core.Messages;

public enum SmsEncoding { Gsm7, Ucs2 }

/// <summary>How a text travels as SMS: its encoding and the parts (segments) it is cut into.</summary>
public sealed record SmsSplit(SmsEncoding Encoding, IReadOnlyList<string> Segments)
{
    public int Count => Segments.Count;
}

/// <summary>
/// SMS segment math. GSM-7 (the GSM 03.38 default alphabet) fits 160 septets in one SMS and 153 per part
/// of a longer one; characters of its extension table (<c>^ { } \ [ ~ ] | €</c> and form feed) take two
/// septets (an escape and the character) that must stay in one part. Any other character — any Cyrillic
/// letter, any emoji — makes the whole text UCS-2: 70 UTF-16 units in one SMS, 67 per part, and a
/// surrogate pair (an emoji) is never cut in two.
/// </summary>
public static class SmsSegments
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private const string Extension = "^{}\\[~]|€\f";

    private static readonly HashSet<char> BasicSet = [.. Basic];
    private static readonly HashSet<char> ExtensionSet = [.. Extension];

    public static SmsEncoding EncodingOf(string text) =>
        text.All(c => BasicSet.Contains(c) || ExtensionSet.Contains(c)) ? SmsEncoding.Gsm7 : SmsEncoding.Ucs2;

    public static int Count(string text) => Split(text).Count;

    public static SmsSplit Split(string text)
    {
        var encoding = EncodingOf(text);
        return encoding == SmsEncoding.Gsm7 ? new(encoding, SplitGsm7(text)) : new(encoding, SplitUcs2(text));
    }

    private static List<string> SplitGsm7(string text)
    {
        var septets = text.Sum(c => ExtensionSet.Contains(c) ? 2 : 1);
        if (septets <= 160)
        {
            return [text];
        }
        var parts = new List<string>();
        var start = 0;
        var used = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var cost = ExtensionSet.Contains(text[i]) ? 2 : 1;
            if (used + cost > 153)
            {
                parts.Add(text[start..i]);
                start = i;
                used = 0;
            }
            used += cost;
        }
        parts.Add(text[start..]);
        return parts;
    }

    private static List<string> SplitUcs2(string text)
    {
        if (text.Length <= 70)
        {
            return [text];
        }
        var parts = new List<string>();
        var start = 0;
        while (text.Length - start > 67)
        {
            var end = start + 67;
            if (char.IsHighSurrogate(text[end - 1]))
            {
                end--;
            }
            parts.Add(text[start..end]);
            start = end;
        }
        parts.Add(text[start..]);
        return parts;
    }
}
