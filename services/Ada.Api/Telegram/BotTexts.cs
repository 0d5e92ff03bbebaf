using System.Globalization;
using System.Text;
using Ada.Core.Directory;
using Ada.Core.Messages;

namespace Ada.Api.Telegram;

/// <summary>
/// What the bot says, in Russian, or in English when the person's Telegram <c>language_code</c> is English.
/// Refusals of a message come from <c>RefusalTexts</c>, the one place they are worded; these are the bot's
/// own sentences (linking, turning Telegram off and on, the <c>/send</c> conversation, statuses).
/// </summary>
public static class BotTexts
{
    /// <summary>"en" when Telegram says the person's app is in English (<c>en</c>, <c>en-GB</c>, …), else "ru".</summary>
    public static string LanguageOf(string? languageCode) =>
        languageCode is not null && languageCode.StartsWith(Languages.English, StringComparison.OrdinalIgnoreCase)
            ? Languages.English
            : Languages.Russian;

    private static string T(string lang, string ru, string en) => lang == Languages.English ? en : ru;

    public static string NotLinked(string lang) => T(lang,
        "Этот чат ещё не связан с Ada. Возьмите код привязки в деканате или в личном кабинете Ada и откройте ссылку с ним " +
        "(или напишите сюда /start КОД).",
        "This chat is not linked to Ada yet. Get a link code from the dean's office or your Ada account and open the link " +
        "that comes with it (or send /start CODE here).");

    public static string CodeUnknown(string lang) => T(lang,
        "Код не подошёл: он неверный, уже использован или истёк. Попросите новый код.",
        "That code did not work: it is wrong, already used or expired. Ask for a new one.");

    public static string TooManyAttempts(string lang) => T(lang,
        "Слишком много неверных кодов. Попробуйте снова через час.",
        "Too many wrong codes. Try again in an hour.");

    public static string Linked(User user, string lang) => T(lang,
        $"Готово! Вы подключены как {user.Name}. {ChannelsOn(user, lang)}",
        $"Done! You are linked as {user.Name}. {ChannelsOn(user, lang)}");

    public static string Restarted(User user, string lang) => T(lang,
        $"Telegram снова включён, {user.Name}. {ChannelsOn(user, lang)}",
        $"Telegram is on again, {user.Name}. {ChannelsOn(user, lang)}");

    public static string Stopped(string lang) => T(lang,
        "Telegram выключен: сообщения Ada сюда больше не приходят. Чтобы включить снова, напишите /start.",
        "Telegram is off: Ada's messages no longer come here. To turn it back on, send /start.");

    public static string Status(User user, string lang) => T(lang,
        $"Вы — {user.Name}. {ChannelsOn(user, lang)}",
        $"You are {user.Name}. {ChannelsOn(user, lang)}");

    /// <summary>"Сообщения приходят в: Telegram, SMS." from the user's active contacts.</summary>
    public static string ChannelsOn(User user, string lang)
    {
        var on = Channels.All.Where(c => user.Contacts.ContainsKey(c) && !user.Inactive.Contains(c)).Select(ChannelName).ToList();
        return on.Count == 0
            ? T(lang, "Сейчас сообщения не приходят никуда.", "Right now messages reach you nowhere.")
            : T(lang, $"Сообщения приходят в: {string.Join(", ", on)}.", $"Messages reach you on: {string.Join(", ", on)}.");
    }

    public static string StudentCannotSend(string lang) => T(lang,
        "Отправлять сообщения через Ada могут преподаватели и сотрудники. Вам доступны /status и /stop.",
        "Only teachers and staff can send messages through Ada. You can use /status and /stop.");

    public static string Help(string role, string lang) => role == Roles.Student
        ? T(lang,
            "Ada присылает сюда сообщения университета.\n/status — куда приходят сообщения\n/stop — выключить Telegram\n/start — включить снова",
            "Ada sends the university's messages here.\n/status — where messages reach you\n/stop — turn Telegram off\n/start — turn it back on")
        : T(lang,
            "/send — написать группам и потокам (или просто напишите текст)\n/history — ваши последние сообщения\n" +
            "/status КОД — как идёт доставка\n/cancel КОД — отменить\n/stop — не получать сообщения в Telegram",
            "/send — write to groups and streams (or just type the text)\n/history — your recent messages\n" +
            "/status CODE — how delivery goes\n/cancel CODE — cancel\n/stop — stop receiving messages in Telegram");

    public static string UnknownCommand(string lang) => T(lang, "Не знаю такой команды. /help — что я умею.", "I do not know that command. /help lists what I can do.");

    public static string UnknownMessageCode(string typed, string lang) => T(lang,
        $"Нет вашего сообщения с кодом {Shown(typed)}. Коды есть в /history.",
        $"No message of yours has the code {Shown(typed)}. /history lists the codes.");

    public static string CodeNeeded(string command, string lang) => T(lang,
        $"Напишите код сообщения: {command} КОД. Коды есть в /history.",
        $"Give the message's code: {command} CODE. /history lists the codes.");

    public static string Cancelled(string code, string lang) => T(lang, $"Сообщение {code} отменено.", $"Message {code} is cancelled.");

    public static string NotCancelled(string code, string? state, string lang) => state switch
    {
        MessageStates.Cancelled => T(lang, $"Сообщение {code} уже отменено.", $"Message {code} was already cancelled."),
        MessageStates.Done => T(lang, $"Сообщение {code} уже доставлено, отменить нельзя.", $"Message {code} is already delivered; it cannot be cancelled."),
        _ => T(lang, $"Сообщение {code} уже доставляется, отменить нельзя.", $"Message {code} is being delivered; it cannot be cancelled."),
    };

    public static string NoHistory(string lang) => T(lang, "Вы ещё ничего не отправляли.", "You have not sent anything yet.");

    public static string ChannelName(string channel) => Messages.RefusalTexts.ChannelName(channel);

    public static string StateName(string? state, string lang) => state switch
    {
        MessageStates.Scheduled => T(lang, "запланировано", "scheduled"),
        MessageStates.Delivering => T(lang, "доставляется", "delivering"),
        MessageStates.Done => T(lang, "доставлено", "done"),
        MessageStates.Cancelled => T(lang, "отменено", "cancelled"),
        _ => state ?? "",
    };

    /// <summary>
    /// Why people were not reached, as a person says it. The couriers' error classes are an open set (<c>provider_500</c>,
    /// <c>smtp_550</c>, …): one not named here is a provider's failure, with its class in brackets for whoever asks the admin.
    /// </summary>
    public static string ErrorName(string errorClass, string lang) => errorClass switch
    {
        "blocked" => T(lang, "заблокировали бота", "blocked the bot"),
        "not_found" or "chat_not_found" => T(lang, "чат не найден", "chat not found"),
        "rejected" => T(lang, "отклонено", "rejected"),
        "not_allowed" => T(lang, "не разрешили сообщения", "did not allow messages"),
        "bad_address" => T(lang, "неверный адрес", "wrong address"),
        "too_long" => T(lang, "текст слишком длинный", "text too long"),
        "expired" => T(lang, "истёк срок доставки", "delivery deadline passed"),
        "privacy" or "blacklisted" => T(lang, "закрыли сообщения настройками", "closed their messages"),
        "deleted" or "deactivated" => T(lang, "страница удалена или заблокирована", "page deleted or banned"),
        "stop_list" => T(lang, "номер в стоп-листе", "number on the stop list"),
        "abroad" or "no_route" => T(lang, "номер не обслуживается", "number not served"),
        _ => T(lang, $"сбой провайдера ({errorClass})", $"provider failure ({errorClass})"),
    };

    /// <summary>
    /// A message's delivery as one short block: state, then per expected channel sent/recipients, then what
    /// failed and why, and how many had no contact. The live status message and <c>/status CODE</c> both use it.
    /// </summary>
    public static string DeliveryStatus(HistoryDocument h, string code, TimeZoneInfo zone, string lang)
    {
        var text = new StringBuilder();
        text.Append(T(lang, "Сообщение ", "Message ")).Append(code).Append(": ").Append(StateName(h.State, lang));
        if (h.State == MessageStates.Scheduled)
        {
            text.Append(T(lang, " на ", " for ")).Append(Local(h.DeliverAt, zone));
            if (h.Rescheduled is not null)
            {
                text.Append(T(lang, " (после тихих часов)", " (after quiet hours)"));
            }
        }
        text.Append('\n').Append(Preview(h.Text));
        var parts = new List<string>();
        var failed = 0;
        var noContact = 0;
        var errors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var channel in h.ExpectedChannels)
        {
            if (!h.Channels.TryGetValue(channel, out var section))
            {
                continue;
            }
            parts.Add($"{ChannelName(channel)} {section.Sent}/{h.Recipients - section.NoContact}");
            failed += section.Failed;
            noContact += section.NoContact;
            foreach (var (error, count) in section.Errors)
            {
                errors[error] = errors.GetValueOrDefault(error) + count;
            }
        }
        text.Append('\n').Append(string.Join(", ", parts));
        if (failed > 0)
        {
            text.Append('\n').Append(T(lang, "Не доставлено: ", "Failed: ")).Append(failed);
            if (errors.Count > 0)
            {
                text.Append(" (").AppendJoin(", ", errors.Select(e => $"{ErrorName(e.Key, lang)}: {e.Value}")).Append(')');
            }
        }
        if (noContact > 0)
        {
            text.Append('\n').Append(T(lang, "Без контакта в канале: ", "No contact on a channel: ")).Append(noContact);
        }
        return text.ToString();
    }

    /// <summary>One line of <c>/history</c>: code, local time, state, the start of the text.</summary>
    public static string HistoryLine(HistoryDocument h, TimeZoneInfo zone, string lang) =>
        $"{h.ShortId ?? h.Id} · {Local(h.CreatedAt, zone)} · {StateName(h.State, lang)} · {h.Recipients} {T(lang, "чел.", "people")} · {Preview(h.Text, 40)}";

    /// <summary><c>dd.MM HH:mm</c> in the institution's zone.</summary>
    public static string Local(string timestamp, TimeZoneInfo zone) =>
        Local(DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture), zone);

    public static string Local(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("dd.MM HH:mm", CultureInfo.InvariantCulture);

    public static string Preview(string text, int length = 60)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? $"«{line}»" : $"«{line[..length].TrimEnd()}…»";
    }

    private static string Shown(string typed) => typed.Length <= 20 ? typed : typed[..20] + "…";
}
