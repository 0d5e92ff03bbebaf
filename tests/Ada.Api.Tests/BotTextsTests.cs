using Ada.Api.Telegram;

namespace Ada.Api.Tests;

public sealed class BotTextsTests
{
    [Theory]
    [InlineData("/start ABCDEFGH23", "/start", "ABCDEFGH23")]
    [InlineData("/START@ada_sandbox_bot  abc ", "/start", "abc")]
    [InlineData("/stop", "/stop", null)]
    [InlineData("/send\nПривет", "/send", "Привет")]
    [InlineData("Привет, группа", null, null)]
    public void Command_ReadsTheCommandWithoutTheBotNameAndItsArgument(string text, string? command, string? argument) =>
        Assert.Equal((command, argument), BotUpdates.Command(text));

    [Theory]
    [InlineData("en", "en")]
    [InlineData("en-GB", "en")]
    [InlineData("ru", "ru")]
    [InlineData("uk", "ru")]
    [InlineData(null, "ru")]
    public void LanguageOf_IsEnglishOnlyForEnglishApps(string? code, string language) => Assert.Equal(language, BotTexts.LanguageOf(code));

    [Theory]
    [InlineData("blocked", "ru", "заблокировали бота")]
    [InlineData("bad_address", "ru", "неверный адрес")]
    [InlineData("expired", "en", "delivery deadline passed")]
    [InlineData("provider_500", "ru", "сбой провайдера (provider_500)")]
    [InlineData("smtp_550", "en", "provider failure (smtp_550)")]
    public void ErrorName_IsWordsInThePersonsLanguage_EvenForAClassItDoesNotName(string errorClass, string lang, string words) =>
        Assert.Equal(words, BotTexts.ErrorName(errorClass, lang));

    [Fact]
    public void DeliveryStatus_CountsSentOfReachable_FailuresByReasonInWords_AndNoContact()
    {
        var telegram = new ChannelSection(ChannelStates.Done, 38, 2, 0, new Dictionary<string, int> { ["blocked"] = 2 }, null, null);
        var sms = new ChannelSection(ChannelStates.Sending, 12, 0, 25, new Dictionary<string, int>(), null, null);
        var history = new HistoryDocument("t1:1", "t1", "telegram", "Контрольная в пятницу", new Addressees([], ["g1"], []), 40,
            "2026-12-04T10:00:00.000Z", null, "2026-12-04T10:00:00.000Z", 0, false, null, MessageStates.Delivering,
            [Channels.Telegram, Channels.Sms], new Dictionary<string, ChannelSection> { [Channels.Telegram] = telegram, [Channels.Sms] = sms });

        var ru = BotTexts.DeliveryStatus(history, "A7K2P", TimeZoneInfo.Utc, "ru");
        var en = BotTexts.DeliveryStatus(history, "A7K2P", TimeZoneInfo.Utc, "en");

        Assert.Equal("Сообщение A7K2P: доставляется\n«Контрольная в пятницу»\nTelegram 38/40, SMS 12/15\n" +
            "Не доставлено: 2 (заблокировали бота: 2)\nБез контакта в канале: 25", ru);
        Assert.StartsWith("Message A7K2P: delivering", en, StringComparison.Ordinal);
        Assert.Contains("Failed: 2 (blocked the bot: 2)", en, StringComparison.Ordinal);
    }
}
