namespace Ada.Core.Tests;

public sealed class ScheduleClockTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static List<DateTimeOffset> Occurrences(string cron, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        Assert.True(ScheduleClock.TryParse(cron, out var expression));
        var all = new List<DateTimeOffset>();
        var at = ScheduleClock.First(expression, zone, from, to);
        while (at is { } a)
        {
            all.Add(a);
            at = ScheduleClock.Next(expression, zone, a, to);
        }
        return all;
    }

    [Fact]
    public void SpringForward_Berlin_TheSkippedLocalTimeFiresOnceAfterTheGap()
    {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
        var all = Occurrences("30 2 * * *", Berlin, new DateTimeOffset(2026, 3, 27, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(4, all.Count);
        Assert.Equal([27, 28, 29, 30], all.Select(a => TimeZoneInfo.ConvertTime(a, Berlin).Day));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)), all[2]);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 2, 30, 0, TimeSpan.FromHours(2)), all[3]);
    }

    [Fact]
    public void FallBack_Berlin_TheRepeatedLocalTimeFiresOnce()
    {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice that night.
        var all = Occurrences("30 2 * * *", Berlin, new DateTimeOffset(2026, 10, 24, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 10, 27, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(3, all.Count);
        Assert.Equal([24, 25, 26], all.Select(a => TimeZoneInfo.ConvertTime(a, Berlin).Day));
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)), all[1]);
    }

    [Fact]
    public void FallBack_NewYork_AnIntervalCronFollowsTheRealClockWithoutRepeatingAnInstant()
    {
        // 2026-11-01: 02:00 EDT becomes 01:00 EST; between 00:00 and 03:00 local there are four real hours.
        var all = Occurrences("0 * * * *", NewYork, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(-4)),
            new DateTimeOffset(2026, 11, 1, 3, 0, 0, TimeSpan.FromHours(-5)));

        Assert.Equal(5, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all.Zip(all.Skip(1)), pair => Assert.Equal(TimeSpan.FromHours(1), pair.Second - pair.First));
    }

    [Fact]
    public void SpringForward_NewYork_DailyAtNineNeitherDuplicatesNorDrops()
    {
        // 2026-03-08: the offset changes from -5 to -4; 09:00 local stays 09:00 local.
        var all = Occurrences("0 9 * * *", NewYork, new DateTimeOffset(2026, 3, 7, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal([new DateTimeOffset(2026, 3, 7, 9, 0, 0, TimeSpan.FromHours(-5)), new DateTimeOffset(2026, 3, 8, 9, 0, 0, TimeSpan.FromHours(-4)),
            new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.FromHours(-4))], all);
    }

    [Fact]
    public void Plan_FallBackNight_TheTickAfterTheFirst0230IsTomorrow_NotTheRepeated0230()
    {
        Assert.True(ScheduleClock.TryParse("30 2 * * *", out var cron));
        var first0230 = new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2));

        // Handled when the clock shows 02:30 again (an hour later, CET): still one occurrence that night.
        var plan = ScheduleClock.Plan(cron, Berlin, first0230, first0230.AddHours(1), null);

        Assert.Equal(first0230, plan.Send);
        Assert.Empty(plan.Skipped);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 2, 30, 0, TimeSpan.FromHours(1)), plan.Next);
    }

    [Fact]
    public void Plan_SpringForwardEve_TheNextTickIsTheEndOfTheGap()
    {
        Assert.True(ScheduleClock.TryParse("30 2 * * *", out var cron));
        var eve = new DateTimeOffset(2026, 3, 28, 2, 30, 0, TimeSpan.FromHours(1));

        var plan = ScheduleClock.Plan(cron, Berlin, eve, eve, null);

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)), plan.Next);
        var after = ScheduleClock.Plan(cron, Berlin, plan.Next!.Value, plan.Next.Value, null);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 2, 30, 0, TimeSpan.FromHours(2)), after.Next);
    }

    [Theory]
    [InlineData(1)]             // on time
    [InlineData(59 * 60)]       // less than an hour late
    public void Plan_WithinTheHour_SendsTheTickOnceAndSetsTheNext(int lateSeconds)
    {
        Assert.True(ScheduleClock.TryParse("0 8 * * *", out var cron));
        var tick = new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(3));

        var plan = ScheduleClock.Plan(cron, Msk, tick, tick.AddSeconds(lateSeconds), null);

        Assert.Empty(plan.Skipped);
        Assert.Equal(tick, plan.Send);
        Assert.Equal(tick.AddDays(1), plan.Next);
    }

    [Fact]
    public void Plan_MoreThanAnHourLate_SkipsAsLate()
    {
        Assert.True(ScheduleClock.TryParse("0 8 * * *", out var cron));
        var tick = new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.FromHours(3));

        var plan = ScheduleClock.Plan(cron, Msk, tick, tick.AddMinutes(61), null);

        Assert.Null(plan.Send);
        Assert.Equal([(tick, ScheduleClock.Late)], plan.Skipped);
        Assert.Equal(tick.AddDays(1), plan.Next);
    }

    [Fact]
    public void Plan_AfterALongOutage_SendsOnlyTheLatestWithinTheHour()
    {
        Assert.True(ScheduleClock.TryParse("*/15 * * * *", out var cron));
        var tick = new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);
        var now = tick.AddHours(2).AddMinutes(5);   // 10:05: 08:00 … 10:00 have passed

        var plan = ScheduleClock.Plan(cron, TimeZoneInfo.Utc, tick, now, null);

        Assert.Equal(tick.AddHours(2), plan.Send);
        Assert.Equal(8, plan.Skipped.Count);
        Assert.All(plan.Skipped.Where(s => now - s.At > ScheduleClock.CatchUp), s => Assert.Equal(ScheduleClock.Late, s.Reason));
        Assert.All(plan.Skipped.Where(s => now - s.At <= ScheduleClock.CatchUp), s => Assert.Equal(ScheduleClock.Superseded, s.Reason));
        Assert.Equal(tick.AddHours(2).AddMinutes(15), plan.Next);
    }

    [Fact]
    public void Plan_PastUntil_HasNoNext()
    {
        Assert.True(ScheduleClock.TryParse("0 8 * * *", out var cron));
        var tick = new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

        var plan = ScheduleClock.Plan(cron, TimeZoneInfo.Utc, tick, tick, tick.AddHours(12));

        Assert.Equal(tick, plan.Send);
        Assert.Null(plan.Next);
    }

    [Theory]
    [InlineData("* * * * *", true)]
    [InlineData("30 8 * * MON-FRI", true)]
    [InlineData("0 0 1 1 *", true)]
    [InlineData("* * * *", false)]
    [InlineData("0 * * * * *", false)]
    [InlineData("61 * * * *", false)]
    [InlineData("every day", false)]
    [InlineData("", false)]
    public void TryParse_AcceptsStandardFiveFieldCronOnly(string text, bool valid) =>
        Assert.Equal(valid, ScheduleClock.TryParse(text, out _));

    private static readonly TimeZoneInfo Msk = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
}
