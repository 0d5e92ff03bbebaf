using Ada.Api;
using Ada.Api.Messages;
using Microsoft.Extensions.Options;

namespace Ada.Api.Tests;

public sealed class RefusalTextsTests
{
    private static readonly RefusalTexts Moscow = new(Options.Create(new SchedulingOptions { TimeZone = "Europe/Moscow" }));

    [Theory]
    [InlineData(1, "сообщение")]
    [InlineData(2, "сообщения")]
    [InlineData(5, "сообщений")]
    [InlineData(11, "сообщений")]
    [InlineData(21, "сообщение")]
    [InlineData(30, "сообщений")]
    [InlineData(104, "сообщения")]
    [InlineData(112, "сообщений")]
    public void Plural_FollowsRussianCountForms(int count, string form) =>
        Assert.Equal(form, RefusalTexts.Plural(count, "сообщение", "сообщения", "сообщений"));

    [Fact]
    public void OverQuota_SaysTheLimitAndTheLocalTimeOfTheNextMessage()
    {
        var now = new DateTimeOffset(2026, 3, 2, 10, 40, 0, TimeSpan.Zero);
        var refusal = Refusal.OverQuota("teacher", 30, TimeSpan.FromMinutes(25), now.AddMinutes(25));

        Assert.Equal("Лимит: 30 сообщений в час. Следующее можно отправить в 14:05.", Moscow.Describe(refusal));
        Assert.Equal("Limit: 30 messages per hour. You can send the next one at 14:05.", Moscow.Describe(refusal, "en"));
    }

    [Fact]
    public void OverQuota_AfterMidnightLocally_NamesTheDate()
    {
        var now = new DateTimeOffset(2026, 3, 2, 20, 50, 0, TimeSpan.Zero); // 23:50 in Moscow
        var refusal = Refusal.OverQuota("teacher", 1, TimeSpan.FromMinutes(20), now.AddMinutes(20));

        Assert.Equal("Лимит: 1 сообщение в час. Следующее можно отправить в 03.03 00:10.", Moscow.Describe(refusal));
    }

    [Fact]
    public void EveryReason_HasARussianAndAnEnglishSentence()
    {
        var examples = new[]
        {
            Refusal.Invalid(new Dictionary<string, string[]> { ["to.users[0]"] = ["bad"] }),
            Refusal.Forbidden("x:1", "x"),
            Refusal.IdNotFromAda("x:1"),
            Refusal.UrgentNotAllowed("teacher"),
            Refusal.UnknownAddressees(new Addressees(["u9"], ["g9"], [])),
            Refusal.NotOwner(["g2"], ["s2"]),
            Refusal.NoCourier(["sms"], ["telegram"]),
            Refusal.TextTooLong("telegram", 5000, 4096),
            Refusal.TooManySegments("sms", 4, 3, SmsEncoding.Gsm7),
            Refusal.OverQuota("teacher", 30, TimeSpan.FromMinutes(1), DateTimeOffset.UnixEpoch),
            Refusal.TooManyRecipients("teacher", 2500, 2000),
            Refusal.Conflict("x:1"),
        };
        Assert.Equal(Enum.GetValues<RefusalReason>().Order(), examples.Select(e => e.Reason).Order());
        foreach (var refusal in examples)
        {
            Assert.Matches("[а-яА-Я]", Moscow.Describe(refusal, "ru"));
            Assert.DoesNotMatch("[а-яА-Я]", Moscow.Describe(refusal, "en"));
            Assert.Matches("^[a-z_]+$", refusal.Code);
        }
        Assert.Equal("Сообщение не принято: проверьте адресатов.", Moscow.Describe(examples[0]));
        Assert.Equal("Нет в справочнике: пользователи u9; группы g9.", Moscow.Describe(examples[4]));
        Assert.Equal("Не работает SMS. Работает: Telegram.", Moscow.Describe(examples[6]));
    }
}
