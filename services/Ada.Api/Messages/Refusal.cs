using Ada.Core.Messages;

namespace Ada.Api.Messages;

/// <summary>Why <see cref="MessageQueue"/> did not queue a message. Its snake_case name is the problem's <c>reason</c>.</summary>
public enum RefusalReason
{
    /// <summary>The request is malformed (<see cref="Refusal.Errors"/> by field).</summary>
    Invalid,

    /// <summary>The message id belongs to another sender (<see cref="Refusal.Owner"/>).</summary>
    Forbidden,

    /// <summary>On a Redis Cluster, an id Ada did not make (it must hash to a due shard's slot).</summary>
    IdNotFromAda,

    /// <summary>The sender's role may not skip quiet hours (<see cref="Refusal.Role"/>).</summary>
    UrgentNotAllowed,

    /// <summary>Addressees that are not in the directory (<see cref="Refusal.Addressees"/>).</summary>
    UnknownAddressees,

    /// <summary>A teacher addressed groups or supergroups they do not own (<see cref="Refusal.Addressees"/>).</summary>
    NotOwner,

    /// <summary>No courier runs for any (requested) channel.</summary>
    NoCourier,

    /// <summary>Longer than a channel takes (<see cref="Refusal.Count"/> characters, <see cref="Refusal.Limit"/> at most).</summary>
    TextTooLong,

    /// <summary>More SMS segments than the channel takes (<see cref="Refusal.Count"/> of <see cref="Refusal.Limit"/>, in <see cref="Refusal.Encoding"/>).</summary>
    TooManySegments,

    /// <summary>The role's messages per hour are used up (<see cref="Refusal.Limit"/>, <see cref="Refusal.ResetsAt"/>).</summary>
    OverQuota,

    /// <summary>More recipients than the role may write to at once (<see cref="Refusal.Count"/> of <see cref="Refusal.Limit"/>).</summary>
    TooManyRecipients,

    /// <summary>The id was already queued with other content.</summary>
    Conflict,
}

/// <summary>
/// A message Ada did not queue: the reason and the facts a person or a program needs to act on it. No words
/// and no HTTP here: the API maps it to a problem detail (<see cref="RefusalProblems"/>), people read it
/// through <see cref="RefusalTexts"/> (SMS answers, the bot, the web app). Only the facts of its reason are set.
/// </summary>
public sealed record Refusal(RefusalReason Reason)
{
    /// <summary>Invalid: field path → what is wrong with it (English, for integrators).</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>The message id concerned (Forbidden, IdNotFromAda, Conflict).</summary>
    public string? MessageId { get; init; }

    /// <summary>Forbidden: the sender the id belongs to.</summary>
    public string? Owner { get; init; }

    /// <summary>The sender's role, whose rule refused (UrgentNotAllowed, OverQuota, TooManyRecipients).</summary>
    public string? Role { get; init; }

    /// <summary>UnknownAddressees: the ids not found, per kind; NotOwner: the groups and supergroups not owned.</summary>
    public Addressees? Addressees { get; init; }

    /// <summary>NoCourier: the channels asked for (null: any channel) and those whose courier runs.</summary>
    public IReadOnlyList<string>? RequestedChannels { get; init; }

    public IReadOnlyList<string>? RunningChannels { get; init; }

    /// <summary>The channel whose limit refused (TextTooLong, TooManySegments).</summary>
    public string? Channel { get; init; }

    /// <summary>TooManyRecipients found before any id was read: the list that alone is longer than the cap (<c>to.users</c>).</summary>
    public string? Field { get; init; }

    /// <summary>What the message has: characters, SMS segments or recipients.</summary>
    public int? Count { get; init; }

    /// <summary>The cap: characters, segments, recipients per message, or messages per hour.</summary>
    public int? Limit { get; init; }

    /// <summary>TooManySegments: the text's SMS encoding (UCS-2 as soon as one Cyrillic letter is in it).</summary>
    public SmsEncoding? Encoding { get; init; }

    /// <summary>OverQuota: how long until the next message is allowed, and when that is.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public DateTimeOffset? ResetsAt { get; init; }

    /// <summary>The stable name of the reason: <c>text_too_long</c>, <c>over_quota</c>, …</summary>
    public string Code => ReasonCode(Reason);

    public static string ReasonCode(RefusalReason reason) => reason switch
    {
        RefusalReason.Invalid => "invalid",
        RefusalReason.Forbidden => "forbidden",
        RefusalReason.IdNotFromAda => "id_not_from_ada",
        RefusalReason.UrgentNotAllowed => "urgent_not_allowed",
        RefusalReason.UnknownAddressees => "unknown_addressees",
        RefusalReason.NotOwner => "not_owner",
        RefusalReason.NoCourier => "no_courier",
        RefusalReason.TextTooLong => "text_too_long",
        RefusalReason.TooManySegments => "too_many_segments",
        RefusalReason.OverQuota => "over_quota",
        RefusalReason.TooManyRecipients => "too_many_recipients",
        RefusalReason.Conflict => "conflict",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static Refusal Invalid(IReadOnlyDictionary<string, string[]> errors) => new(RefusalReason.Invalid) { Errors = errors };

    public static Refusal Forbidden(string messageId, string owner) => new(RefusalReason.Forbidden) { MessageId = messageId, Owner = owner };

    public static Refusal IdNotFromAda(string messageId) => new(RefusalReason.IdNotFromAda) { MessageId = messageId };

    public static Refusal UrgentNotAllowed(string role) => new(RefusalReason.UrgentNotAllowed) { Role = role };

    public static Refusal UnknownAddressees(Addressees unknown) => new(RefusalReason.UnknownAddressees) { Addressees = unknown };

    public static Refusal NotOwner(IReadOnlyList<string> groups, IReadOnlyList<string> supergroups) =>
        new(RefusalReason.NotOwner) { Addressees = new Addressees([], groups, supergroups) };

    public static Refusal NoCourier(IReadOnlyList<string>? requested, IReadOnlyList<string> running) =>
        new(RefusalReason.NoCourier) { RequestedChannels = requested, RunningChannels = running };

    public static Refusal TextTooLong(string channel, int length, int maxLength) =>
        new(RefusalReason.TextTooLong) { Channel = channel, Count = length, Limit = maxLength };

    public static Refusal TooManySegments(string channel, int segments, int maxSegments, SmsEncoding encoding) =>
        new(RefusalReason.TooManySegments) { Channel = channel, Count = segments, Limit = maxSegments, Encoding = encoding };

    public static Refusal OverQuota(string role, int messagesPerHour, TimeSpan retryAfter, DateTimeOffset resetsAt) =>
        new(RefusalReason.OverQuota) { Role = role, Limit = messagesPerHour, RetryAfter = retryAfter, ResetsAt = resetsAt };

    public static Refusal TooManyRecipients(string role, int count, int limit, string? field = null) =>
        new(RefusalReason.TooManyRecipients) { Role = role, Count = count, Limit = limit, Field = field };

    public static Refusal Conflict(string messageId) => new(RefusalReason.Conflict) { MessageId = messageId };
}
