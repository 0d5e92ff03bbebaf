using System.Text;

namespace Ada.Api.Sms;

/// <summary>
/// Phone numbers as the directory keeps them: E.164, <c>+</c> and digits. The gateway reports numbers as the
/// phone's network shows them, so Russian national forms are read too: <c>8XXXXXXXXXX</c> and <c>7XXXXXXXXXX</c>
/// → <c>+7XXXXXXXXXX</c>, a bare ten-digit <c>9XXXXXXXXX</c> (a mobile number) → <c>+79XXXXXXXXX</c>.
/// </summary>
public static class PhoneNumbers
{
    /// <summary>The E.164 form, or null when <paramref name="text"/> is not a phone number.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var digits = new StringBuilder();
        var plus = false;
        foreach (var c in text.Trim())
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c == '+' && digits.Length == 0 && !plus)
            {
                plus = true;
            }
            else if (c is not (' ' or '-' or '(' or ')' or '.' or '\u00A0'))
            {
                return null;
            }
        }
        var number = digits.ToString();
        if (!plus)
        {
            number = number switch
            {
                { Length: 11 } when number[0] is '8' or '7' => "7" + number[1..],
                { Length: 10 } when number[0] == '9' => "7" + number,
                _ => number,
            };
        }
        return number.Length is >= 7 and <= 15 && number[0] != '0' ? "+" + number : null;
    }

    /// <summary>For logs: the country code and the last two digits only.</summary>
    public static string Mask(string phone) =>
        phone.Length > 6 ? phone[..3] + new string('*', phone.Length - 5) + phone[^2..] : "***";
}
