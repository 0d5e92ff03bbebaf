using System.Text;

namespace Ada.Sandbox.Sms;

/// <summary>
/// Phone numbers as the SMS stand-ins read them: E.164 with '+', or the Russian forms 7XXXXXXXXXX, 8XXXXXXXXXX and
/// 9XXXXXXXXX that the cloud API (parsing with region RU) and SMS.ru accept. Spaces, dashes, dots and brackets are
/// ignored. Per-country validity is not checked: any '+' and 8–15 digits pass.
/// </summary>
public static class PhoneNumber
{
    public static bool TryNormalize(string? raw, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            return false;
        }

        var text = raw.Trim();
        var plus = text.StartsWith('+');
        var digits = new StringBuilder(text.Length);
        foreach (var c in plus ? text.AsSpan(1) : text.AsSpan())
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not (' ' or '-' or '(' or ')' or '.'))
            {
                return false;
            }
        }

        var number = digits.ToString();
        if (!plus)
        {
            number = number switch
            {
                { Length: 11 } when number[0] is '7' => number,
                { Length: 11 } when number[0] is '8' => "7" + number[1..],
                { Length: 10 } when number[0] is '9' => "7" + number,
                _ => "",
            };
        }

        if (number.Length is < 8 or > 15 || number[0] == '0')
        {
            return false;
        }

        e164 = "+" + number;
        return true;
    }

    public static bool TryParseList(string? list, out string[] numbers)
    {
        var parts = (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        numbers = new string[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryNormalize(parts[i], out numbers[i]))
            {
                return false;
            }
        }

        return true;
    }
}
