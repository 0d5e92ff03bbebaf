using System.Globalization;
using System.Text;
using Ada.Api.Messages;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;

namespace Ada.Api.Sms;

/// <summary>
/// The texts Ada answers an SMS with, in the sender's language (<see cref="User.Language"/>: Russian unless
/// "en"). Russian is UCS-2 (70 characters in one SMS, 67 per part), so answers are short; a refusal is
/// worded by <see cref="RefusalTexts"/>, like everywhere people read one. Times are local to
/// <c>Scheduling:TimeZone</c>, as <c>dd.MM HH:mm</c>.
/// </summary>
public sealed class SmsReplies(RefusalTexts refusals, IOptions<SchedulingOptions> scheduling, TimeProvider time)
{
    public const string Grammar =
        "Ada SMS: 'GROUP, GROUP: text' to groups; '@login text' to a person; 'STATUS code' or 'CANCEL code' for a message you sent.";

    public const string GrammarRu =
        "Ada: «ГРУППА, ГРУППА: текст» — группам; «@логин текст» — человеку; СТАТУС код, ОТМЕНА код — о вашем сообщении.";

    private readonly TimeZoneInfo _zone = scheduling.Value.Zone;

    public static string Help(SmsMistake? problem, string language)
    {
        var grammar = En(language) ? Grammar : GrammarRu;
        return problem is { } mistake ? $"{Mistake(mistake, language)} {grammar}" : grammar;
    }

    /// <summary>What was wrong with a text, in English and Russian: a row per mistake.</summary>
    private static readonly Dictionary<SmsMistake, (string English, string Russian)> Mistakes = new()
    {
        [SmsMistake.Empty] = ("The message is empty.", "Пустое сообщение."),
        [SmsMistake.StatusWithoutCode] = ("STATUS needs the code from Ada's answer, e.g. STATUS A7K2P.", "После СТАТУС нужен код из ответа Ada."),
        [SmsMistake.CancelWithoutCode] = ("CANCEL needs the code from Ada's answer, e.g. CANCEL A7K2P.", "После ОТМЕНА нужен код из ответа Ada."),
        [SmsMistake.ConfirmWithoutCode] = ("YES needs the code from Ada's answer, e.g. YES K3M7Q.", "После ДА нужен код из ответа Ada."),
        [SmsMistake.AtWithoutLogin] = ("'@' must be followed by a login, e.g. @ivanov.", "После @ нужен логин."),
        [SmsMistake.TooManyAddressees] =
            ($"At most {SmsGrammar.MaxAddressees} addressees per message.", $"Не больше {SmsGrammar.MaxAddressees} адресатов."),
        [SmsMistake.NoTextAfterLogin] = ("There is no text after the login.", "Нет текста после логина."),
        [SmsMistake.NotUnderstood] = ("Not understood.", "Команда не распознана."),
        [SmsMistake.EmptyGroupName] = ("A group name before ':' is empty.", "Пустое имя группы перед «:»."),
        [SmsMistake.NoTextAfterColon] = ("There is no text after ':'.", "Нет текста после «:»."),
    };

    public static string Mistake(SmsMistake mistake, string language)
    {
        var (english, russian) = Mistakes[mistake];
        return En(language) ? english : russian;
    }

    public static string Student(string language) =>
        En(language) ? "Ada: students cannot send messages through Ada." : "Ada: студентам отправка сообщений недоступна.";

    public string NotSent(Refusal refusal, string language) =>
        (En(language) ? "Ada: not sent. " : "Ada: не отправлено. ") + refusals.Describe(refusal, language);

    public static string Unresolved(ResolvedAddressees resolved, string language)
    {
        var en = En(language);
        var text = new StringBuilder(en ? "Ada: not sent." : "Ada: не отправлено.");
        if (resolved.Unknown.Count > 0)
        {
            text.Append(en ? " Unknown: " : " Не найдены: ").AppendJoin(", ", resolved.Unknown).Append('.');
        }
        if (resolved.Ambiguous.Count > 0)
        {
            text.Append(en ? " Ambiguous, use the id: " : " Неоднозначно, укажите id: ").AppendJoin("; ", resolved.Ambiguous).Append('.');
        }
        return text.Append(en ? " Send HELP for the format." : " Формат: ПОМОЩЬ.").ToString();
    }

    public static string UnknownCode(string typed, string language) => En(language)
        ? $"Ada: no message of yours has the code {Trim(typed, 20)}. Codes come in Ada's answers and last 30 days."
        : $"Ada: у вас нет сообщения с кодом {Trim(typed, 20)}. Коды действуют 30 дней.";

    /// <summary>The question before a message to many people is sent (<see cref="SmsConfirmations"/>).</summary>
    public static string ConfirmFirst(int recipients, string code, int minutes, string language) => En(language)
        ? $"Ada: {recipients} recipients. To send, reply YES {code} within {minutes} min."
        : $"Ada: получателей: {recipients}. Чтобы отправить, ответьте ДА {code} в течение {minutes} мин.";

    public static string NothingToConfirm(int minutes, string language) => En(language)
        ? $"Ada: no message is waiting for confirmation (it waits {minutes} min). Send it again."
        : $"Ada: нет сообщения, ждущего подтверждения (оно ждёт {minutes} мин). Отправьте его заново.";

    public static string WrongConfirmation(string language) => En(language)
        ? "Ada: wrong code; nothing sent. The code is in Ada's answer to your message."
        : "Ada: неверный код, ничего не отправлено. Код — в ответе Ada на ваше сообщение.";

    public static string ConfirmationBlocked(string language) => En(language)
        ? "Ada: too many wrong codes; nothing sent. Try again later."
        : "Ada: слишком много неверных кодов, ничего не отправлено. Попробуйте позже.";

    public string Accepted(string code, QueueAnswer answer, string language)
    {
        var en = En(language);
        var deliverAt = Parse(answer.DeliverAt);
        var when = answer.Rescheduled is not null ? (en ? $"delivery {Local(deliverAt)} (after quiet hours)" : $"отправка {Local(deliverAt)} (после тихих часов)")
            : deliverAt - time.GetUtcNow() > TimeSpan.FromMinutes(1) ? (en ? $"delivery {Local(deliverAt)}" : $"отправка {Local(deliverAt)}")
            : en ? "delivery now" : "отправка сейчас";
        if (!en)
        {
            return $"Ada: принято, код {code}, получателей: {answer.Recipients}, {when}. СТАТУС {code} / ОТМЕНА {code}";
        }
        var people = answer.Recipients == 1 ? "1 recipient" : $"{answer.Recipients} recipients";
        return $"Ada: queued {code} to {people}, {when}. STATUS {code} / CANCEL {code}";
    }

    /// <summary><c>A7K2P: done - 23 sent, 1 failed, 2 no contact (telegram 20/0/1, sms 3/1/1; 2 SMS delivered)</c>.</summary>
    public string Status(string code, HistoryDocument history, string language)
    {
        var en = En(language);
        if (history.State == MessageStates.Scheduled)
        {
            var moved = history.Rescheduled is null ? "" : en ? " (after quiet hours)" : " (после тихих часов)";
            var at = Local(Parse(history.DeliverAt));
            return en
                ? $"{code}: scheduled for {at}{moved}, {history.Recipients} recipients."
                : $"{code}: запланировано на {at}{moved}, получателей: {history.Recipients}.";
        }
        var sections = history.Channels.Values;
        var (sent, failed, noContact) = (sections.Sum(c => c.Sent), sections.Sum(c => c.Failed), sections.Sum(c => c.NoContact));
        var delivered = sections.Sum(c => c.Delivered);
        var perChannel = string.Join(", ", history.Channels.Select(c => $"{c.Key} {c.Value.Sent}/{c.Value.Failed}/{c.Value.NoContact}"));
        var totals = en
            ? $"{sent} sent, {failed} failed, {noContact} no contact"
            : $"отправлено {sent}, ошибок {failed}, без контакта {noContact}";
        var detail = perChannel.Length == 0 ? ""
            : $" ({perChannel}{(delivered > 0 ? (en ? $"; {delivered} SMS delivered" : $"; доставлено SMS: {delivered}") : "")})";
        return (history.State, en) switch
        {
            (MessageStates.Done, true) => $"{code}: done - {totals}{detail}",
            (MessageStates.Done, false) => $"{code}: завершено — {totals}{detail}",
            (MessageStates.Cancelled, _) when sent + failed + noContact == 0 =>
                en ? $"{code}: cancelled before delivery." : $"{code}: отменено до отправки.",
            (MessageStates.Cancelled, true) => $"{code}: cancelled - {totals} before{detail}",
            (MessageStates.Cancelled, false) => $"{code}: отменено — до отмены {totals}{detail}",
            (_, true) => $"{code}: delivering - {totals} so far{detail}",
            (_, false) => $"{code}: идёт отправка — пока {totals}{detail}",
        };
    }

    public static string Cancelled(string code, string language) => En(language) ? $"Ada: {code} cancelled." : $"Ada: {code} отменено.";

    public static string NotCancelled(string code, string? state, string language) => (state, En(language)) switch
    {
        (MessageStates.Cancelled, true) => $"Ada: {code} was already cancelled.",
        (MessageStates.Cancelled, false) => $"Ada: {code} уже отменено.",
        (MessageStates.Done, true) => $"Ada: {code} is already delivered; it cannot be cancelled. STATUS {code} tells how it went.",
        (MessageStates.Done, false) => $"Ada: {code} уже доставлено, отменить нельзя. Итоги: СТАТУС {code}",
        (_, true) => $"Ada: {code} could not be cancelled ({state}).",
        (_, false) => $"Ada: {code} не удалось отменить ({state}).",
    };

    /// <summary>
    /// Cuts an answer to what the SMS channel's couriers accept (its length and segment caps), so Ada's own
    /// answer is never refused for its length. The cut is marked with "...".
    /// </summary>
    public static string Fit(string text, ChannelLimits? limits)
    {
        var maxLength = limits?.MaxTextLength is > 3 and var length ? length : int.MaxValue;
        var maxSegments = limits?.MaxSmsSegments is > 0 and var segments ? segments : int.MaxValue;
        if (text.Length <= maxLength && SmsSegments.Count(text) <= maxSegments)
        {
            return text;
        }
        var kept = text.Length > maxLength ? text[..maxLength] : text;
        while (kept.Length > 0 && ((kept.Length + 3) > maxLength || SmsSegments.Count(kept + "...") > maxSegments))
        {
            kept = kept[..^(kept.Length > 1 && char.IsLowSurrogate(kept[^1]) ? 2 : 1)];
        }
        return kept + "...";
    }

    private static DateTimeOffset Parse(string timestamp) => DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture);

    private string Local(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, _zone).ToString("dd.MM HH:mm", CultureInfo.InvariantCulture);

    private static bool En(string language) => language == Languages.English;

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..max] + "...";
}
