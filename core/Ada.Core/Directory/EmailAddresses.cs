using System.Globalization;
using System.Net.Mail;

namespace Ada.Core.Directory;

/// <summary>
/// What Ada takes as an <c>email</c> contact: a bare address (no display name, no comments, no quoted local
/// part) that System.Net.Mail parses back to itself, with an ASCII dot-atom local part of at most 64
/// characters and a domain of at least two labels — letters, digits and inner hyphens, IDN allowed
/// (<c>почта.рф</c>) — whose top level is letters (or an <c>xn--</c> label); 254 characters in all
/// (RFC 5321's path limit). The canonical form keeps the local part as written and lowercases the domain.
/// </summary>
public static class EmailAddresses
{
    public const int MaxLength = 254;
    public const int MaxLocalPart = 64;

    private const string LocalPartSpecials = "!#$%&'*+-/=?^_`{|}~.";

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    public static bool TryNormalize(string? text, out string address)
    {
        address = "";
        var candidate = text?.Trim() ?? "";
        if (candidate.Length is 0 or > MaxLength || !MailAddress.TryCreate(candidate, out var parsed)
            || parsed.DisplayName.Length > 0 || parsed.Address != candidate)
        {
            return false;
        }
        var at = candidate.LastIndexOf('@');
        var local = candidate[..at];
        var domain = candidate[(at + 1)..];
        if (!IsDotAtom(local) || !TryAsciiDomain(domain, out _))
        {
            return false;
        }
        address = $"{local}@{domain.ToLowerInvariant()}";
        return true;
    }

    private static bool IsDotAtom(string local) =>
        local.Length is > 0 and <= MaxLocalPart
        && local[0] != '.' && local[^1] != '.' && !local.Contains("..", StringComparison.Ordinal)
        && local.All(c => char.IsAsciiLetterOrDigit(c) || LocalPartSpecials.Contains(c, StringComparison.Ordinal));

    private static bool TryAsciiDomain(string domain, out string ascii)
    {
        ascii = "";
        try
        {
            ascii = Idn.GetAscii(domain);
        }
        catch (ArgumentException)
        {
            return false;
        }
        var labels = ascii.Split('.');
        return labels.Length >= 2
            && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-' && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            && (labels[^1].All(char.IsAsciiLetter) && labels[^1].Length >= 2 || labels[^1].StartsWith("xn--", StringComparison.OrdinalIgnoreCase));
    }
}
