namespace Ada.Core.Couriers;

/// <summary>
/// The provider ids the SMS courier remembers (<see cref="CourierStore.RememberProviderIdAsync"/>, channel
/// <c>sms</c>) so that a delivery report finds its receipt. Both sides — the courier that sends and the API
/// that takes the reports — build them here, so they cannot drift apart.
/// </summary>
public static class SmsProviderIds
{
    /// <summary>
    /// SMS Gateway for Android gives one id to a message sent to several numbers, and each of its reports
    /// (<c>sms:sent</c>, <c>sms:delivered</c>, <c>sms:failed</c>) carries that <c>messageId</c> and one
    /// <c>phoneNumber</c>: the key is <c>&lt;messageId&gt;:&lt;the number in E.164&gt;</c>, e.g.
    /// <c>PyDmBQZZXYmyxMwED8Fzy:+79990001234</c> (<paramref name="phoneNumber"/> is taken as E.164 with or
    /// without its <c>+</c>; spaces and dashes do not matter).
    /// </summary>
    public static string AndroidGateway(string messageId, string phoneNumber) => $"{messageId}:+{Digits(phoneNumber)}";

    /// <summary>SMS.ru gives every number its own <c>sms_id</c>; that id is the key as it is.</summary>
    public static string SmsRu(string smsId) => smsId;

    public static string Digits(string phoneNumber) => string.Concat(phoneNumber.Where(char.IsAsciiDigit));
}
