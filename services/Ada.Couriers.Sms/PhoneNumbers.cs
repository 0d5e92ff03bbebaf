namespace Ada.Couriers.Sms;

/// <summary>Phone numbers as the directory holds them (<c>+7 999 000-12-34</c>) and as gateways want them.</summary>
public static class PhoneNumbers
{
    /// <summary>
    /// <c>+</c> and 10 to 15 digits (E.164 has at most 15), spaces, dashes, dots and brackets dropped; null when
    /// the address cannot be a phone number. No country is guessed: a number without its country code is refused.
    /// </summary>
    public static string? Normalize(string address)
    {
        var digits = new System.Text.StringBuilder(16);
        for (var i = 0; i < address.Length; i++)
        {
            var c = address[i];
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c == '+' && digits.Length == 0 && i == address.TakeWhile(char.IsWhiteSpace).Count())
            {
                continue;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                return null;
            }
        }
        return digits.Length is >= 10 and <= 15 && digits[0] != '0' ? "+" + digits : null;
    }
}
