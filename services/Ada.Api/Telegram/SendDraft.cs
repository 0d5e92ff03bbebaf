using System.Globalization;
using System.Security.Cryptography;

namespace Ada.Api.Telegram;

/// <summary>A group (<c>g</c>) or supergroup — a stream of groups (<c>s</c>) — the sender may address.</summary>
public sealed record SendTarget(string Kind, string Id, string Name)
{
    public const string Group = "g";
    public const string Supergroup = "s";
}

/// <summary>
/// A <c>/send</c> conversation in progress, kept in Redis (<c>telegram:conversation:&lt;chat&gt;</c>), so any
/// API instance can take the next update. Buttons carry only <see cref="Nonce"/> and a short action
/// (Telegram allows 64 bytes of <c>callback_data</c>): a button of an older conversation is recognised and refused.
/// </summary>
public sealed record SendDraft
{
    public const string Pick = "pick";
    public const string Text = "text";
    public const string When = "when";
    public const string Time = "time";
    public const string Confirm = "confirm";

    public required string Nonce { get; init; }
    public required string Step { get; init; }
    public required string Language { get; init; }

    /// <summary>Everything the sender may address, sorted: streams first, then groups, by name.</summary>
    public required IReadOnlyList<SendTarget> Targets { get; init; }

    /// <summary>Indexes into <see cref="Targets"/>.</summary>
    public IReadOnlyList<int> Selected { get; init; } = [];

    /// <summary>Part of a name the sender typed to narrow the list.</summary>
    public string? Filter { get; init; }

    public int Page { get; init; }
    public string? MessageText { get; init; }

    /// <summary>When to send; null = now.</summary>
    public DateTimeOffset? SendAt { get; init; }

    /// <summary>The message id chosen when the summary is shown, so a repeated "send" queues the same message once.</summary>
    public string? MessageId { get; init; }

    /// <summary>The short code (as for SMS) reserved with <see cref="MessageId"/>.</summary>
    public string? ShortId { get; init; }

    public static string NewNonce() => RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyz23456789", 6);

    public IReadOnlyList<int> Visible() =>
        [.. Enumerable.Range(0, Targets.Count).Where(i => Filter is null || Targets[i].Name.Contains(Filter, StringComparison.OrdinalIgnoreCase)
            || Targets[i].Id.Contains(Filter, StringComparison.OrdinalIgnoreCase))];

    public string Data(string action) => $"{Nonce}:{action}";

    public static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
