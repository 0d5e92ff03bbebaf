using Ada.Core.Scheduling;

namespace Ada.Api.Tests;

public sealed class QuietHoursTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static QuietHours Window(string window, string zone = "Europe/Moscow")
    {
        Assert.True(QuietHours.TryParse(window, zone, out var quietHours, out var error), error);
        return quietHours!;
    }

    [Theory]
    [InlineData("2025-03-10T23:30:00+03:00", "2025-03-11T08:00:00+03:00")] // evening: next morning
    [InlineData("2025-03-10T22:00:00+03:00", "2025-03-11T08:00:00+03:00")] // the start belongs to the window
    [InlineData("2025-03-11T03:00:00+03:00", "2025-03-11T08:00:00+03:00")] // after midnight: the same morning
    [InlineData("2025-03-10T20:30:00Z", "2025-03-11T05:00:00Z")] // a UTC instant is read in Moscow time
    [InlineData("2025-12-31T23:59:00+03:00", "2026-01-01T08:00:00+03:00")] // across a year
    public void WrappingWindow_InsideMovesToWindowEnd(string at, string expected)
    {
        var end = Window("22:00-08:00").WindowEnd(At(at));
        Assert.Equal(At(expected), end);
    }

    [Theory]
    [InlineData("2025-03-10T08:00:00+03:00")] // the end does not belong to the window
    [InlineData("2025-03-10T12:00:00+03:00")]
    [InlineData("2025-03-10T21:59:59+03:00")]
    [InlineData("2025-03-10T18:59:00Z")] // 21:59 in Moscow
    public void WrappingWindow_OutsideIsKept(string at)
    {
        var instant = At(at);
        var quiet = Window("22:00-08:00");
        Assert.Null(quiet.WindowEnd(instant));
        Assert.Equal(instant, quiet.Apply(instant));
    }

    [Fact]
    public void MoscowWindow_IsTheSameInSummerAndWinter()
    {
        var quiet = Window("22:00-08:00");
        Assert.Equal(At("2025-07-02T05:00:00Z"),
            quiet.WindowEnd(At("2025-07-01T19:30:00Z")));
        Assert.Equal(At("2025-01-16T05:00:00Z"),
            quiet.WindowEnd(At("2025-01-15T19:30:00Z")));
    }

    [Theory]
    [InlineData("2025-03-10T13:30:00+03:00", "2025-03-10T14:00:00+03:00")]
    [InlineData("2025-03-10T13:00:00+03:00", "2025-03-10T14:00:00+03:00")]
    public void DaytimeWindow_InsideMovesToItsEnd(string at, string expected) =>
        Assert.Equal(At(expected),
            Window("13:00-14:00").WindowEnd(At(at)));

    [Theory]
    [InlineData("2025-03-10T14:00:00+03:00")]
    [InlineData("2025-03-10T12:59:00+03:00")]
    [InlineData("2025-03-10T23:00:00+03:00")]
    public void DaytimeWindow_OutsideIsKept(string at) =>
        Assert.Null(Window("13:00-14:00").WindowEnd(At(at)));

    [Fact]
    public void WindowEndInSpringForwardGap_MovesToFirstValidMinute()
    {
        // Berlin skips 02:00-03:00 on 2025-03-30: a window ending at 02:30 ends at 03:00 CEST that day.
        var quiet = Window("01:00-02:30", "Europe/Berlin");
        var end = quiet.WindowEnd(At("2025-03-30T01:30:00+01:00"));
        Assert.Equal(At("2025-03-30T03:00:00+02:00"), end);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void EmptyWindow_MeansNone(string? window)
    {
        Assert.True(QuietHours.TryParse(window, "Europe/Moscow", out var quiet, out _));
        Assert.Null(quiet);
    }

    [Theory]
    [InlineData("22:00-08:00", "Mars/Olympus")]
    [InlineData("25:00-08:00", "Europe/Moscow")]
    [InlineData("22:00", "Europe/Moscow")]
    [InlineData("22:00-22:00", "Europe/Moscow")]
    [InlineData("10pm-8am", "Europe/Moscow")]
    public void MalformedWindowOrZone_IsRefusedWithAReason(string window, string zone)
    {
        Assert.False(QuietHours.TryParse(window, zone, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void SpacedWindow_IsAccepted() =>
        Assert.Equal("22:00-08:00 Europe/Moscow", Window(" 22:00 - 08:00 ").ToString());
}
