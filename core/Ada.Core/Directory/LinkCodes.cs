using System.Security.Cryptography;
using System.Text;

namespace Ada.Core.Directory;

/// <summary>
/// Link codes: ten characters a person can read off a screen and type into VK without mistakes, so no
/// 0/O or 1/I. 32 symbols, 2^50 codes: a guesser who may fail a few times an hour per account (see the
/// API's attempt limiter) has no chance. Upper-case letters and digits also fit Telegram's <c>/start</c>
/// payload (≤ 64 of <c>A-Za-z0-9_-</c>). Stored only as their SHA-256 (<see cref="Hash"/>); one active
/// code per user; each lives a day (configurable) and works once (<see cref="LinkCodeStore"/>).
/// </summary>
public static class LinkCodes
{
    public const int Length = 10;
    public const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    /// <summary>A message may carry a few words of text; only this many code-shaped words in it are tried.</summary>
    public const int MaxCandidates = 3;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>What Redis keeps of a canonical code: its SHA-256, hex.</summary>
    public static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    /// <summary>
    /// The code-shaped words of a message, upper-cased: "Мой код: 7kq2mx4abc" gives 7KQ2MX4ABC. Cyrillic letters
    /// that look like Latin ones (a phone keyboard left on Russian) count as those letters.
    /// </summary>
    public static IReadOnlyList<string> Find(string? text)
    {
        var found = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return found;
        }
        var word = new StringBuilder();
        foreach (var c in text.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
                continue;
            }
            if (word.Length == Length && Normalize(word.ToString()) is { } code && !found.Contains(code))
            {
                found.Add(code);
                if (found.Count == MaxCandidates)
                {
                    break;
                }
            }
            word.Clear();
        }
        return found;
    }

    /// <summary>The canonical code, or null when <paramref name="text"/> is not one.</summary>
    public static string? Normalize(string text)
    {
        if (text.Length != Length)
        {
            return null;
        }
        var code = new char[Length];
        for (var i = 0; i < Length; i++)
        {
            var c = Latin(char.ToUpperInvariant(text[i]));
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return null;
            }
            code[i] = c;
        }
        return new string(code);
    }

    private static char Latin(char c) => c switch
    {
        'А' => 'A',
        'В' => 'B',
        'С' => 'C',
        'Е' => 'E',
        'Н' => 'H',
        'К' => 'K',
        'М' => 'M',
        'Р' => 'P',
        'Т' => 'T',
        'Х' => 'X',
        'У' => 'Y',
        _ => c,
    };
}
