using System.Text;

namespace Ada.Core.Directory;

/// <summary>
/// The one phone-number rule of Ada, used by the directory, the API's SMS door and the SMS courier (the
/// sandbox keeps its own on purpose: it plays the provider). A number is E.164: <c>+</c>, then 10 to 15 digits,
/// the first not 0 (every number Ada's gateways can text; shorter ones exist only in a few small countries).
/// Spaces, dashes, dots and brackets are dropped.
/// </summary>
public static class PhoneNumbers
{
    public const int MinDigits = 10;
    public const int MaxDigits = 15;

    /// <summary>
    /// The E.164 form of a number as people and phones write it, or null. Without a <c>+</c>, Russian national
    /// forms are read (a gateway reports numbers as the network shows them): <c>8XXXXXXXXXX</c> and
    /// <c>7XXXXXXXXXX</c> → <c>+7XXXXXXXXXX</c>, a bare ten-digit <c>9XXXXXXXXX</c> (a mobile number) →
    /// <c>+79XXXXXXXXX</c>; other digits are taken as already starting with their country code.
    /// </summary>
    public static string? Normalize(string? text)
    {
        if (Digits(text) is not var (digits, plus))
        {
            return null;
        }
        if (!plus)
        {
            digits = digits switch
            {
                { Length: 11 } when digits[0] is '8' or '7' => "7" + digits[1..],
                { Length: 10 } when digits[0] == '9' => "7" + digits,
                _ => digits,
            };
        }
        return IsValid(digits) ? "+" + digits : null;
    }

    /// <summary>
    /// The E.164 form of a number written internationally (with its <c>+</c>), or null: what the directory
    /// stores, so an address always names its country and no national form is guessed at import.
    /// </summary>
    public static string? International(string? text) =>
        Digits(text) is (var digits, true) && IsValid(digits) ? "+" + digits : null;

    /// <summary>For logs: the country code and the last two digits only.</summary>
    public static string Mask(string phone) =>
        phone.Length > 6 ? phone[..3] + new string('*', phone.Length - 5) + phone[^2..] : "***";

    private static bool IsValid(string digits) => digits.Length is >= MinDigits and <= MaxDigits && digits[0] != '0';

    /// <summary>The digits and whether a leading <c>+</c> came first; null when anything but separators is in the way.</summary>
    private static (string Digits, bool Plus)? Digits(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var digits = new StringBuilder(16);
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
        return (digits.ToString(), plus);
    }
}
