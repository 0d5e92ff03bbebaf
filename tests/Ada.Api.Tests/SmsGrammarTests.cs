using Ada.Api.Sms;

namespace Ada.Api.Tests;

public sealed class SmsGrammarTests
{
    [Theory]
    [InlineData("ИВТ-21, ИВТ-22: Лекция в 301", "ИВТ-21|ИВТ-22", "", "Лекция в 301")]
    [InlineData("  ivt-21 ;  Поток ИВТ :text: with colon ", "ivt-21|Поток ИВТ", "", "text: with colon")]
    [InlineData("ИВТ-21, @petrov: hi", "ИВТ-21", "petrov", "hi")]
    [InlineData("@petrov Зайдите на кафедру", "", "petrov", "Зайдите на кафедру")]
    [InlineData("@petrov @ivanov: hi", "", "petrov|ivanov", "hi")]
    [InlineData("@petrov, @ivanov hi", "", "petrov|ivanov", "hi")]
    [InlineData("@petrov, ИВТ-21: hi", "ИВТ-21", "petrov", "hi")]
    [InlineData("Status: the hall is closed", "Status", "", "the hall is closed")]
    public void Parse_Send(string message, string groups, string users, string text)
    {
        var send = Assert.IsType<SmsCommand.Send>(SmsGrammar.Parse(message));
        Assert.Equal(groups.Length == 0 ? [] : groups.Split('|'), send.Groups);
        Assert.Equal(users.Length == 0 ? [] : users.Split('|'), send.Users);
        Assert.Equal(text, send.Text);
    }

    [Theory]
    [InlineData("STATUS A7K2P", "A7K2P")]
    [InlineData("status a7k2p.", "a7k2p")]
    [InlineData("СТАТУС А7К2Р", "А7К2Р")]
    [InlineData("Статус  A7K2P ", "A7K2P")]
    [InlineData("CTATУC A7K2P", "A7K2P")] // mixed Latin and Cyrillic letters
    public void Parse_Status(string message, string code) =>
        Assert.Equal(code, Assert.IsType<SmsCommand.Status>(SmsGrammar.Parse(message)).Code);

    [Theory]
    [InlineData("YES K3M7Q", "K3M7Q")]
    [InlineData("да k3m7q", "k3m7q")]
    [InlineData("ДА К3М7Q!", "К3М7Q")]
    public void Parse_Confirm(string message, string code) =>
        Assert.Equal(code, Assert.IsType<SmsCommand.Confirm>(SmsGrammar.Parse(message)).Code);

    [Theory]
    [InlineData("YES")]
    [InlineData("Да")]
    public void Parse_ConfirmWithoutCode_SaysWhatIsMissing(string message) =>
        Assert.Equal(SmsMistake.ConfirmWithoutCode, Assert.IsType<SmsCommand.Help>(SmsGrammar.Parse(message)).Problem);

    [Theory]
    [InlineData("CANCEL A7K2P")]
    [InlineData("отмена A7K2P")]
    [InlineData("ОТМЕНА A7K2P")]
    public void Parse_Cancel(string message) =>
        Assert.Equal("A7K2P", Assert.IsType<SmsCommand.Cancel>(SmsGrammar.Parse(message)).Code);

    [Theory]
    [InlineData("help", null)]
    [InlineData("?", null)]
    [InlineData("Помощь", null)]
    [InlineData("", SmsMistake.Empty)]
    [InlineData("hello there", SmsMistake.NotUnderstood)]
    [InlineData("STATUS", SmsMistake.StatusWithoutCode)]
    [InlineData("CANCEL A B", SmsMistake.CancelWithoutCode)]
    [InlineData("ИВТ-21:", SmsMistake.NoTextAfterColon)]
    [InlineData("ИВТ-21, : hi", SmsMistake.EmptyGroupName)]
    [InlineData("@ hi", SmsMistake.AtWithoutLogin)]
    [InlineData("@petrov", SmsMistake.NoTextAfterLogin)]
    [InlineData("line one\nИВТ-21: hi", SmsMistake.NotUnderstood)]
    public void Parse_HelpOrNotUnderstood(string message, SmsMistake? problem) =>
        Assert.Equal(problem, Assert.IsType<SmsCommand.Help>(SmsGrammar.Parse(message)).Problem);

    [Fact]
    public void Help_EveryMistake_HasRussianAndEnglishWordsThatFitOneOrTwoSms()
    {
        foreach (var mistake in Enum.GetValues<SmsMistake>())
        {
            var russian = SmsReplies.Mistake(mistake, "ru");
            Assert.Matches("[а-яА-Я]", russian);
            Assert.DoesNotMatch("[а-яА-Я]", SmsReplies.Mistake(mistake, "en"));
            Assert.InRange(SmsSegments.Count(SmsReplies.Help(mistake, "ru")), 1, 3);
        }
        Assert.Equal(SmsReplies.GrammarRu, SmsReplies.Help(null, "ru"));
        Assert.Equal(SmsReplies.Grammar, SmsReplies.Help(null, "en"));
    }

    [Theory]
    [InlineData("ivт-21", "ivt-21")] // Cyrillic т
    [InlineData("IVT - 21", "ivt-21")]
    [InlineData("ИВТ–21", "ивт-21")] // en dash
    [InlineData("ИВТ 21", "ИВТ-21")] // a space for the dash
    [InlineData("ивт21", "ИВТ-21")]
    [InlineData("РОСТ", "POCT")]
    public void Key_FoldsCaseSpacesDashesAndLookalikes(string typed, string name) =>
        Assert.Equal(Lookalikes.Key(name), Lookalikes.Key(typed));

    [Fact]
    public void Key_KeepsCyrillicWithoutALatinTwin() => Assert.NotEqual(Lookalikes.Key("IVT-21"), Lookalikes.Key("ИВТ-21"));

    [Theory]
    [InlineData("a7k2p", "A7K2P")]
    [InlineData("А7К2Р", "A7K2P")] // typed on a Cyrillic keyboard
    [InlineData("A7K2", null)]
    [InlineData("A7K2O", null)] // O is not in the alphabet
    public void ShortId_Normalize(string typed, string? code) => Assert.Equal(code, ShortIds.Normalize(typed));

    [Fact]
    public void Fit_CutsAnAnswerToTheSegmentCap()
    {
        var text = "Ada: not sent. " + new string('x', 400);
        var fitted = SmsReplies.Fit(text, new ChannelLimits(MaxSmsSegments: 2));
        Assert.Equal(2, SmsSegments.Count(fitted));
        Assert.EndsWith("...", fitted, StringComparison.Ordinal);
        Assert.Equal(text, SmsReplies.Fit(text, null));
        Assert.Equal("Ada: no...", SmsReplies.Fit(text, new ChannelLimits(MaxTextLength: 10)));
    }
}
