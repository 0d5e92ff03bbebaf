namespace Ada.Sandbox.Sms;

/// <summary>
/// How many SMS a text takes: GSM-7 fits 160 septets in one SMS and 153 per part (the extension characters cost
/// two), UCS-2 — needed for any other character, Cyrillic included — 70 UTF-16 units and 67 per part.
/// </summary>
public static class SmsSegments
{
    private const string Gsm7Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Gsm7Extension = "\f^{}\\[~]|€";

    public static int Count(string text)
    {
        var septets = 0;
        foreach (var c in text)
        {
            if (Gsm7Basic.Contains(c, StringComparison.Ordinal))
            {
                septets++;
            }
            else if (Gsm7Extension.Contains(c, StringComparison.Ordinal))
            {
                septets += 2;
            }
            else
            {
                return Parts(text.Length, single: 70, perPart: 67);
            }
        }

        return Parts(septets, single: 160, perPart: 153);
    }

    private static int Parts(int units, int single, int perPart) =>
        units <= single ? 1 : (units + perPart - 1) / perPart;
}
