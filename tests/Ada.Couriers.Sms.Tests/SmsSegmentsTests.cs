namespace Ada.Couriers.Sms.Tests;

/// <summary>Segment math of core's <see cref="SmsSegments"/>: GSM-7 160/153, UCS-2 70/67, pairs never cut.</summary>
public sealed class SmsSegmentsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Count_LatinText_Gsm7With160And153(int length, int segments)
    {
        var text = new string('a', length);

        var split = SmsSegments.Split(text);

        Assert.Equal((SmsEncoding.Gsm7, segments), (split.Encoding, split.Count));
        Assert.Equal(text, string.Concat(split.Segments));
        Assert.All(split.Segments, s => Assert.True(s.Length <= (segments == 1 ? 160 : 153)));
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    [InlineData(201, 3)]
    [InlineData(202, 4)]
    public void Count_CyrillicText_Ucs2With70And67(int length, int segments)
    {
        var text = new string('Я', length);

        var split = SmsSegments.Split(text);

        Assert.Equal((SmsEncoding.Ucs2, segments), (split.Encoding, split.Count));
        Assert.Equal(text, string.Concat(split.Segments));
    }

    [Fact]
    public void Split_OneCyrillicLetterInLatinText_MakesAllOfItUcs2()
    {
        var text = new string('a', 69) + "ж";

        Assert.Equal((SmsEncoding.Ucs2, 1), (SmsSegments.EncodingOf(text), SmsSegments.Count(text)));
        Assert.Equal(2, SmsSegments.Count(text + "a"));
    }

    [Fact]
    public void Split_EmojiAcrossA67Boundary_StaysWhole()
    {
        // 66 units, then an emoji (a surrogate pair) that would take units 67 and 68.
        var text = new string('Я', 66) + "😀" + new string('Я', 10);

        var split = SmsSegments.Split(text);

        Assert.Equal(2, split.Count);
        Assert.Equal(new string('Я', 66), split.Segments[0]);
        Assert.StartsWith("😀", split.Segments[1], StringComparison.Ordinal);
        Assert.All(split.Segments, s => Assert.False(char.IsHighSurrogate(s[^1])));
    }

    [Fact]
    public void Count_EmojiTakesTwoUnits_SeventyUnitsIsOneSegment()
    {
        Assert.Equal(1, SmsSegments.Count(new string('Я', 68) + "😀"));
        Assert.Equal(2, SmsSegments.Count(new string('Я', 69) + "😀"));
    }

    [Theory]
    [InlineData('€')]
    [InlineData('{')]
    [InlineData('[')]
    [InlineData('\\')]
    public void Split_EscapePairAcrossA153Boundary_StaysInOnePart(char escaped)
    {
        // 152 septets, then a two-septet character that would take septets 153 and 154.
        var text = new string('a', 152) + escaped + new string('a', 20);

        var split = SmsSegments.Split(text);

        Assert.Equal((SmsEncoding.Gsm7, 2), (split.Encoding, split.Count));
        Assert.Equal(new string('a', 152), split.Segments[0]);
        Assert.Equal(escaped, split.Segments[1][0]);
    }

    [Fact]
    public void Count_EscapedCharactersCountTwice()
    {
        Assert.Equal(1, SmsSegments.Count(new string('€', 80)));
        Assert.Equal(2, SmsSegments.Count(new string('€', 81)));
        Assert.Equal(1, SmsSegments.Count(new string('a', 158) + "{"));
        Assert.Equal(2, SmsSegments.Count(new string('a', 159) + "{"));
    }

    [Theory]
    [InlineData("Room 101 @ 10:00! £$¥ÄÖÑÜ§¿äöñüà_\n", SmsEncoding.Gsm7)]
    [InlineData("Room 101 — 10:00", SmsEncoding.Ucs2)]
    [InlineData("Room 101 `10:00`", SmsEncoding.Ucs2)]
    public void EncodingOf_FollowsTheGsmAlphabet(string text, SmsEncoding encoding) =>
        Assert.Equal(encoding, SmsSegments.EncodingOf(text));

    [Fact]
    public void Split_EmptyText_IsOneSegment() => Assert.Equal(1, SmsSegments.Count(""));
}
