using System.Globalization;

namespace Ada.Web.Services;

/// <summary>
/// Russian first; English when the browser's first language is English (Blazor sets the UI culture from
/// the browser). Texts sit where they are used, as pairs: <c>L.T("Отправить", "Send")</c>.
/// </summary>
public static class L
{
    public static bool English => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public static string T(string russian, string english) => English ? english : russian;

    public static string Channel(string channel) => channel switch
    {
        "telegram" => "Telegram",
        "vk" => T("ВКонтакте", "VK"),
        "sms" => "SMS",
        "email" => T("Эл. почта", "Email"),
        _ => channel,
    };

    public static string State(string? state) => state switch
    {
        "scheduled" => T("запланировано", "scheduled"),
        "delivering" => T("доставляется", "delivering"),
        "done" => T("доставлено", "done"),
        "cancelled" => T("отменено", "cancelled"),
        "pending" => T("ожидает", "pending"),
        "sending" => T("отправляется", "sending"),
        _ => state ?? "",
    };

    public static string Status(string? status) => status switch
    {
        "sent" => T("отправлено", "sent"),
        "delivered" => T("доставлено", "delivered"),
        "failed" => T("ошибка", "failed"),
        "no_contact" => T("нет контакта", "no contact"),
        "expired" => T("просрочено", "expired"),
        _ => status ?? "",
    };

    /// <summary>A courier's failure reason in words (unknown reasons are shown as they are).</summary>
    public static string Reason(string reason) => reason switch
    {
        "blocked" or "bot_blocked" or "forbidden" => T("пользователь заблокировал бота", "the person blocked the bot"),
        "chat_not_found" or "not_found" => T("чат не найден", "chat not found"),
        "deactivated" or "user_deactivated" => T("аккаунт удалён или заблокирован", "account deleted or banned"),
        "invalid_number" or "bad_number" => T("неверный номер телефона", "invalid phone number"),
        "rejected" => T("провайдер отклонил сообщение", "the provider rejected the message"),
        "too_long" => T("текст слишком длинный", "the text is too long"),
        "timeout" => T("провайдер не ответил вовремя", "the provider did not answer in time"),
        "undelivered" => T("не доставлено оператором", "not delivered by the carrier"),
        "privacy" or "messages_denied" => T("человек не разрешил сообщения", "the person does not allow messages"),
        "expired" => T("истёк срок доставки", "delivery deadline passed"),
        _ => reason,
    };

    public static string Role(string role) => role switch
    {
        "teacher" => T("преподаватель", "teacher"),
        "staff" => T("сотрудник деканата", "staff"),
        "admin" => T("администратор", "administrator"),
        "student" => T("студент", "student"),
        _ => role,
    };
}
