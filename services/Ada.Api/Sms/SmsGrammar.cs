using System.Text;

namespace Ada.Api.Sms;

/// <summary>What a teacher's SMS asks for.</summary>
public abstract record SmsCommand
{
    /// <summary>A message: <paramref name="Groups"/> as typed (group or supergroup ids or names), <paramref name="Users"/> logins without '@'.</summary>
    public sealed record Send(IReadOnlyList<string> Groups, IReadOnlyList<string> Users, string Text) : SmsCommand;

    public sealed record Status(string Code) : SmsCommand;

    public sealed record Cancel(string Code) : SmsCommand;

    /// <summary><c>YES code</c>: send the message that waits for this confirmation (<see cref="SmsConfirmations"/>).</summary>
    public sealed record Confirm(string Code) : SmsCommand;

    /// <summary>Asked for help (<paramref name="Problem"/> null), or not understood, and why.</summary>
    public sealed record Help(SmsMistake? Problem) : SmsCommand;
}

/// <summary>Why an SMS was not understood; <see cref="SmsReplies"/> says it in the sender's language.</summary>
public enum SmsMistake
{
    Empty,
    StatusWithoutCode,
    CancelWithoutCode,
    ConfirmWithoutCode,
    AtWithoutLogin,
    TooManyAddressees,
    NoTextAfterLogin,
    NotUnderstood,
    EmptyGroupName,
    NoTextAfterColon,
}

/// <summary>
/// The SMS grammar (docs/sms.md):
/// <list type="bullet">
/// <item><c>ИВТ-21, ИВТ-22: text</c> — to groups or supergroups (ids or names; '@login' may be listed too);</item>
/// <item><c>@login text</c>, <c>@login1 @login2: text</c> — to people;</item>
/// <item><c>STATUS A7K2P</c> / <c>СТАТУС A7K2P</c>, <c>CANCEL A7K2P</c> / <c>ОТМЕНА A7K2P</c>; <c>HELP</c> / <c>ПОМОЩЬ</c> / <c>?</c>;</item>
/// <item><c>YES K3M7Q</c> / <c>ДА K3M7Q</c> — confirms a message to many people.</item>
/// </list>
/// Keywords, names and codes ignore case, spaces and Cyrillic letters that look like Latin ones (<see cref="Lookalikes"/>);
/// the text itself is kept as typed.
/// </summary>
public static class SmsGrammar
{
    public const int MaxAddressees = 20;
    public const int MaxHeadLength = 300;

    private static readonly HashSet<string> StatusWords = [Lookalikes.Key("STATUS"), Lookalikes.Key("СТАТУС")];
    private static readonly HashSet<string> CancelWords = [Lookalikes.Key("CANCEL"), Lookalikes.Key("ОТМЕНА")];
    private static readonly HashSet<string> ConfirmWords = [Lookalikes.Key("YES"), Lookalikes.Key("ДА")];
    private static readonly HashSet<string> HelpWords = [Lookalikes.Key("HELP"), Lookalikes.Key("ПОМОЩЬ"), "?"];

    public static SmsCommand Parse(string message)
    {
        var text = message.Replace('\u00A0', ' ').Trim();
        if (text.Length == 0)
        {
            return new SmsCommand.Help(SmsMistake.Empty);
        }
        var firstEnd = 0;
        while (firstEnd < text.Length && !char.IsWhiteSpace(text[firstEnd]))
        {
            firstEnd++;
        }
        var keyword = Lookalikes.Key(text[..firstEnd]);
        var rest = text[firstEnd..].Trim();
        if (StatusWords.Contains(keyword))
        {
            return Code(rest) is { } code ? new SmsCommand.Status(code) : new SmsCommand.Help(SmsMistake.StatusWithoutCode);
        }
        if (CancelWords.Contains(keyword))
        {
            return Code(rest) is { } code ? new SmsCommand.Cancel(code) : new SmsCommand.Help(SmsMistake.CancelWithoutCode);
        }
        if (ConfirmWords.Contains(keyword))
        {
            return Code(rest) is { } code ? new SmsCommand.Confirm(code) : new SmsCommand.Help(SmsMistake.ConfirmWithoutCode);
        }
        if (HelpWords.Contains(keyword) && rest.Length == 0)
        {
            return new SmsCommand.Help(null);
        }
        return text[0] == '@' ? People(text) : Addressed(text);
    }

    /// <summary><c>@a @b text</c> or <c>@a, @b: text</c>; when a non-login follows a comma it is the list form (<c>@a, ivt-21: text</c>).</summary>
    private static SmsCommand People(string text)
    {
        var users = new List<string>();
        var i = 0;
        var afterComma = false;
        while (true)
        {
            var separatorStart = i;
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] is ',' or ';'))
            {
                i++;
            }
            afterComma = text.AsSpan(separatorStart, i - separatorStart).ContainsAny(',', ';');
            if (i >= text.Length || text[i] != '@')
            {
                break;
            }
            var start = ++i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (',' or ';' or ':' or '@'))
            {
                i++;
            }
            if (i == start)
            {
                return new SmsCommand.Help(SmsMistake.AtWithoutLogin);
            }
            users.Add(text[start..i]);
        }
        if (i < text.Length && text[i] != ':' && afterComma)
        {
            return Addressed(text);
        }
        var body = text[i..].TrimStart(':').Trim();
        if (users.Count > MaxAddressees)
        {
            return new SmsCommand.Help(SmsMistake.TooManyAddressees);
        }
        return body.Length == 0
            ? new SmsCommand.Help(SmsMistake.NoTextAfterLogin)
            : new SmsCommand.Send([], users, body);
    }

    /// <summary><c>name[, name…]: text</c>; a name starting with '@' is a login.</summary>
    private static SmsCommand Addressed(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || colon > MaxHeadLength || text.AsSpan(0, colon).ContainsAny('\r', '\n'))
        {
            return new SmsCommand.Help(SmsMistake.NotUnderstood);
        }
        var names = text[..colon].Split([',', ';']).Select(n => n.Trim()).ToList();
        if (names.Any(n => n.Length == 0 || n == "@"))
        {
            return new SmsCommand.Help(SmsMistake.EmptyGroupName);
        }
        if (names.Count > MaxAddressees)
        {
            return new SmsCommand.Help(SmsMistake.TooManyAddressees);
        }
        var body = text[(colon + 1)..].Trim();
        if (body.Length == 0)
        {
            return new SmsCommand.Help(SmsMistake.NoTextAfterColon);
        }
        return new SmsCommand.Send(
            [.. names.Where(n => n[0] != '@')],
            [.. names.Where(n => n[0] == '@').Select(n => n[1..].Trim())],
            body);
    }

    /// <summary>A code is one word; trailing punctuation a phone keyboard adds is dropped.</summary>
    private static string? Code(string rest)
    {
        var code = rest.TrimEnd('.', ',', '!', '?', ';');
        return code.Length > 0 && !code.Any(char.IsWhiteSpace) ? code : null;
    }
}

/// <summary>
/// Folds what people type on Russian phones into the form names and codes are compared in: Cyrillic letters
/// that look like Latin ones become those (А→A В→B Е→E Ё→E К→K М→M Н→H О→O Р→P С→C Т→T У→Y Х→X, either case),
/// then upper case, without spaces, with every dash as '-'. So "ivт-21" (with a Cyrillic т) and "IVT - 21" both
/// compare equal to "ivt-21", and "ивт-21" to "ИВТ-21"; И has no Latin look-alike, so "ИВТ" never equals "IVT".
/// </summary>
public static class Lookalikes
{
    private const string CyrillicLookalikes = "АВЕЁКМНОРСТУХавеёкмнорстух";
    private const string LatinLetters = "ABEEKMHOPCTYXABEEKMHOPCTYX";

    public static char Fold(char c)
    {
        var i = CyrillicLookalikes.IndexOf(c, StringComparison.Ordinal);
        return i >= 0 ? LatinLetters[i] : c;
    }

    /// <summary>Only the look-alikes folded: a login typed on a Russian keyboard, case kept.</summary>
    public static string Latin(string text) => string.Create(text.Length, text, (span, t) =>
    {
        for (var i = 0; i < t.Length; i++)
        {
            span[i] = Fold(t[i]);
        }
    });

    /// <summary>
    /// The comparison key of a name, keyword or code: without spaces and dashes of any kind (a phone types
    /// "ИВТ 21", "ивт-21" or "ИВТ–21" for the group named "ИВТ-21"), upper case, look-alikes folded.
    /// </summary>
    public static string Key(string text)
    {
        var key = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || c is '-' or '‐' or '‑' or '‒' or '–' or '—' or '−')
            {
                continue;
            }
            key.Append(char.ToUpperInvariant(Fold(c)));
        }
        return key.ToString();
    }
}
