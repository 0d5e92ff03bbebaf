namespace Ada.Couriers.Telegram.Tests;

public sealed class TelegramTextTests
{
    [Theory]
    [InlineData("Лекция отменена")]
    [InlineData("")]
    [InlineData("line one\nline two")]
    public void Split_ShortText_IsOnePartUnchanged(string text) =>
        Assert.Equal([text], TelegramText.Split(text));

    [Fact]
    public void Split_TextOfExactlyTheLimit_IsOnePart()
    {
        var text = new string('a', TelegramText.MaxLength);

        Assert.Equal([text], TelegramText.Split(text));
    }

    [Fact]
    public void Split_LongTextWithLines_CutsAtTheLastLineBreak()
    {
        var first = Words(3_000);
        var second = Words(2_000);

        var parts = TelegramText.Split(first + "\n" + second);

        Assert.Equal([first, second], parts);
    }

    [Fact]
    public void Split_LongTextOfWords_CutsAtSpacesWithinTheLimit()
    {
        var text = Words(20_000);

        var parts = TelegramText.Split(text);

        Assert.True(parts.Count >= 5);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, TelegramText.MaxLength));
        Assert.All(parts, p => Assert.False(char.IsWhiteSpace(p[^1]), "a part ends with whitespace"));
        AssertJoinsBackTo(text, parts);
    }

    [Fact]
    public void Split_TextWithoutWhitespace_CutsAtTheLimit()
    {
        var text = new string('x', 5_000);

        var parts = TelegramText.Split(text);

        Assert.Equal([TelegramText.MaxLength, 5_000 - TelegramText.MaxLength], parts.Select(p => p.Length));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Split_SurrogatePairAtTheLimit_StaysWhole()
    {
        // One ASCII letter first, so the limit falls between the two halves of an emoji.
        var text = "a" + string.Concat(Enumerable.Repeat("😀", 3_000));

        var parts = TelegramText.Split(text);

        Assert.All(parts, p =>
        {
            Assert.InRange(p.Length, 1, TelegramText.MaxLength);
            Assert.False(char.IsHighSurrogate(p[^1]), "a part ends with half an emoji");
            Assert.False(char.IsLowSurrogate(p[0]), "a part starts with half an emoji");
        });
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Split_LineBreakEarlyInWindow_PrefersALateSpace()
    {
        var text = "intro\n" + Words(6_000);

        var parts = TelegramText.Split(text);

        Assert.True(parts[0].Length > TelegramText.MaxLength / 2, $"first part has {parts[0].Length} characters");
        AssertJoinsBackTo(text, parts);
    }

    [Fact]
    public void Split_WhitespaceAfterTheLastCut_AddsNoBlankPart()
    {
        // Telegram refuses a blank text, so a trailing blank part would turn a delivered message into a failure.
        var text = Words(4_000) + "\n" + Words(90) + "\n" + new string(' ', 10);

        var parts = TelegramText.Split(text, 4_095);

        Assert.All(parts, p => Assert.False(string.IsNullOrWhiteSpace(p), "a part is blank"));
        AssertJoinsBackTo(text.TrimEnd(), parts);
    }

    [Fact]
    public void Split_ManyLines_EveryPartWithinTheLimitAndNothingLost()
    {
        var lines = Enumerable.Range(1, 2_000).Select(i => $"{i}. Иванов Иван — аудитория {i % 300}");
        var text = string.Join('\n', lines);

        var parts = TelegramText.Split(text);

        Assert.All(parts, p => Assert.InRange(p.Length, 1, TelegramText.MaxLength));
        Assert.Equal(text.Replace("\n", "", StringComparison.Ordinal), string.Concat(parts).Replace("\n", "", StringComparison.Ordinal));
        Assert.All(parts.Skip(1), p => Assert.Matches("^[0-9]+\\. ", p));
    }

    /// <summary>The parts, in order, are the text with only whitespace dropped at the cuts.</summary>
    private static void AssertJoinsBackTo(string text, IReadOnlyList<string> parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            while (!text.AsSpan(at).StartsWith(part, StringComparison.Ordinal))
            {
                Assert.True(at < text.Length && char.IsWhiteSpace(text[at]), $"non-whitespace lost at {at}");
                at++;
            }
            at += part.Length;
        }
        Assert.True(text.AsSpan(at).IsWhiteSpace(), "text lost after the last part");
    }

    /// <summary>Words of varying length separated by single spaces, exactly <paramref name="length"/> characters long.</summary>
    private static string Words(int length)
    {
        var words = new System.Text.StringBuilder();
        var i = 0;
        while (words.Length < length)
        {
            words.Append(words.Length == 0 ? "" : " ").Append("слово"[..(1 + (i++ % 5))]);
        }
        var text = words.ToString(0, length);
        return text[^1] == ' ' ? text[..^1] + "z" : text;
    }
}
