using System.Globalization;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;

namespace Ada.Api.Messages;

/// <summary>
/// The one place a <see cref="Refusal"/> becomes words for a person: a teacher reading an SMS answer, the
/// bot or the web app (the problem's <c>message</c>). Russian unless the language is "en"; short, since an
/// SMS in Cyrillic holds 70 characters; times in the institution's zone (<c>Scheduling:TimeZone</c>).
/// </summary>
public sealed class RefusalTexts(IOptions<SchedulingOptions> scheduling)
{
    private readonly TimeZoneInfo _zone = scheduling.Value.Zone;

    public string Describe(Refusal refusal, string language = Languages.Russian) =>
        Languages.Of(language) == Languages.English ? English(refusal) : Russian(refusal);

    private string Russian(Refusal r) => r.Reason switch
    {
        RefusalReason.Invalid => $"Сообщение не принято: проверьте {Fields(r.Errors, russian: true)}.",
        RefusalReason.Forbidden => "Этот номер сообщения принадлежит другому отправителю. Отправьте сообщение без номера.",
        RefusalReason.IdNotFromAda => "Номер сообщения выдан не Ada. Отправьте сообщение без номера.",
        RefusalReason.UrgentNotAllowed => "Срочные сообщения вам недоступны. Обычное сообщение уйдёт после тихих часов.",
        RefusalReason.UnknownAddressees => $"Нет в справочнике: {Ids(r.Addressees!, "пользователи", "группы", "потоки")}.",
        RefusalReason.NotOwner => $"Писать можно только своим группам и потокам. Нет в справочнике или не ваши: {Ids(r.Addressees!, "", "группы", "потоки")}.",
        RefusalReason.NoCourier when r.RequestedChannels is null => "Сейчас не работает ни один канал доставки. Попробуйте позже.",
        RefusalReason.NoCourier =>
            $"{(r.RequestedChannels.Count == 1 ? "Не работает" : "Не работают")} {ChannelNames(r.RequestedChannels)}." +
            (r.RunningChannels is { Count: > 0 } running
                ? $" {(running.Count == 1 ? "Работает" : "Работают")}: {ChannelNames(running)}."
                : " Попробуйте позже."),
        RefusalReason.TextTooLong =>
            $"Текст слишком длинный для {ChannelName(r.Channel)}: {r.Count} {Plural(r.Count, "знак", "знака", "знаков")}, " +
            $"можно не больше {r.Limit}.",
        RefusalReason.TooManySegments =>
            $"Текст займёт {r.Count} SMS, а можно не больше {r.Limit}. " +
            (r.Encoding == SmsEncoding.Ucs2 ? "В SMS с кириллицей 67 знаков." : "В одной SMS 153 знака.") + " Сократите текст.",
        RefusalReason.OverQuota =>
            $"Лимит: {r.Limit} {Plural(r.Limit, "сообщение", "сообщения", "сообщений")} в час. " +
            $"Следующее можно отправить в {Local(r.ResetsAt!.Value, r.RetryAfter)}.",
        RefusalReason.TooManyRecipients =>
            $"Слишком много получателей: {r.Count}, можно не больше {r.Limit} в одном сообщении.",
        RefusalReason.Conflict => "Сообщение с этим номером уже отправлено с другим текстом. Отправьте его заново без номера.",
        _ => r.Code,
    };

    private string English(Refusal r) => r.Reason switch
    {
        RefusalReason.Invalid => $"The message was not accepted: check {Fields(r.Errors, russian: false)}.",
        RefusalReason.Forbidden => "This message id belongs to another sender. Send the message without an id.",
        RefusalReason.IdNotFromAda => "This message id was not issued by Ada. Send the message without an id.",
        RefusalReason.UrgentNotAllowed => "You cannot send urgent messages. A normal message goes out after quiet hours.",
        RefusalReason.UnknownAddressees => $"Not in the directory: {Ids(r.Addressees!, "users", "groups", "streams")}.",
        RefusalReason.NotOwner => $"You may write only to your own groups and streams. Not in the directory or not yours: {Ids(r.Addressees!, "", "groups", "streams")}.",
        RefusalReason.NoCourier when r.RequestedChannels is null => "No delivery channel is working right now. Try again later.",
        RefusalReason.NoCourier =>
            $"Not working: {ChannelNames(r.RequestedChannels)}." +
            (r.RunningChannels is { Count: > 0 } running ? $" Working: {ChannelNames(running)}." : " Try again later."),
        RefusalReason.TextTooLong => $"The text is too long for {ChannelName(r.Channel)}: {r.Count} characters, at most {r.Limit}.",
        RefusalReason.TooManySegments =>
            $"The text needs {r.Count} SMS; at most {r.Limit} are allowed. " +
            (r.Encoding == SmsEncoding.Ucs2 ? "An SMS with Cyrillic holds 67 characters." : "One SMS holds 153 characters.") + " Shorten the text.",
        RefusalReason.OverQuota =>
            $"Limit: {r.Limit} messages per hour. You can send the next one at {Local(r.ResetsAt!.Value, r.RetryAfter)}.",
        RefusalReason.TooManyRecipients => $"Too many recipients: {r.Count}; at most {r.Limit} per message.",
        RefusalReason.Conflict => "A message with this id was already sent with other content. Send it again without an id.",
        _ => r.Code,
    };

    /// <summary>Telegram, VK, SMS as people call them.</summary>
    public static string ChannelName(string? channel) => channel switch
    {
        Channels.Telegram => "Telegram",
        Channels.Vk => "VK",
        Channels.Sms => "SMS",
        _ => channel ?? "",
    };

    private static string ChannelNames(IEnumerable<string> channels) => string.Join(", ", channels.Select(ChannelName));

    /// <summary>The Russian noun form for a count: 1 сообщение, 2 сообщения, 5 сообщений, 21 сообщение.</summary>
    public static string Plural(int? count, string one, string few, string many)
    {
        var n = Math.Abs(count ?? 0);
        return (n % 10, n % 100) switch
        {
            (1, not 11) => one,
            (2 or 3 or 4, not (12 or 13 or 14)) => few,
            _ => many,
        };
    }

    /// <summary>HH:mm in the institution's zone, with the date when it is not today there.</summary>
    private string Local(DateTimeOffset at, TimeSpan? after)
    {
        var local = TimeZoneInfo.ConvertTime(at, _zone);
        var now = TimeZoneInfo.ConvertTime(at - (after ?? TimeSpan.Zero), _zone);
        return local.ToString(local.Date == now.Date ? "HH:mm" : "dd.MM HH:mm", CultureInfo.InvariantCulture);
    }

    private static string Ids(Addressees ids, string users, string groups, string supergroups)
    {
        var parts = new List<string>();
        foreach (var (what, list) in new[] { (users, ids.Users), (groups, ids.Groups), (supergroups, ids.Supergroups) })
        {
            if (list.Count > 0)
            {
                parts.Add($"{what} {Shown(list)}".TrimStart());
            }
        }
        return string.Join("; ", parts);
    }

    private static string Shown(IReadOnlyList<string> ids) =>
        ids.Count <= 5 ? string.Join(", ", ids) : $"{string.Join(", ", ids.Take(5))} (+{ids.Count - 5})";

    /// <summary>A request's fields as people call them, in Russian and English; any other field goes by its JSON name.</summary>
    private static readonly Dictionary<string, (string Russian, string English)> FieldNames = new(StringComparer.Ordinal)
    {
        ["text"] = ("текст", "the text"),
        ["to"] = ("адресатов", "the addressees"),
        ["sendAt"] = ("время отправки", "the send time"),
        ["channels"] = ("каналы", "the channels"),
        ["id"] = ("номер сообщения", "the message id"),
        ["expiresAt"] = ("срок действия", "the expiry time"),
        ["origin"] = ("источник", "the origin"),
    };

    /// <summary>The fields a person can fix, named for people: "the text and the send time".</summary>
    private static string Fields(IReadOnlyDictionary<string, string[]>? errors, bool russian)
    {
        var names = (errors?.Keys ?? []).Select(path => path.Split('.', '[')[0])
            .Select(field => FieldNames.TryGetValue(field, out var name) ? (russian ? name.Russian : name.English) : field)
            .Distinct().ToList();
        if (names.Count == 0)
        {
            return russian ? "сообщение" : "the message";
        }
        var and = russian ? " и " : " and ";
        return names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + and + names[^1];
    }
}
