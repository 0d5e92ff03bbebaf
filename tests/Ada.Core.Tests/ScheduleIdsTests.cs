namespace Ada.Core.Tests;

public sealed class ScheduleIdsTests
{
    [Fact]
    public void New_IsAScheduleId_NotAMessageId_AndHashesToADueShard()
    {
        var id = ScheduleIds.New("t.lee", TimeProvider.System);

        Assert.True(ScheduleIds.TryParse(id, out var owner));
        Assert.Equal("t.lee", owner);
        Assert.True(ScheduleIds.Is(id));
        Assert.False(MessageIds.TryParse(id, out _));
        Assert.True(MessageIds.IsSlotAligned(id));
    }

    [Fact]
    public void OccurrenceMessageId_IsTheSameForTheSameInstant_AndAnAlignedMessageIdOfTheOwner()
    {
        var schedule = ScheduleIds.New("t.lee", TimeProvider.System);
        var at = new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

        var id = ScheduleIds.OccurrenceMessageId(schedule, at);

        Assert.Equal(id, ScheduleIds.OccurrenceMessageId(schedule, at));
        Assert.True(MessageIds.TryParse(id, out var sender));
        Assert.Equal("t.lee", sender);
        Assert.True(MessageIds.IsSlotAligned(id));
        Assert.False(ScheduleIds.Is(id));
        Assert.NotEqual(id, ScheduleIds.OccurrenceMessageId(schedule, at.AddMinutes(1)));
    }

    [Fact]
    public void OccurrenceMessageId_TwoSchedulesOfOneOwnerAtOneInstant_GetDifferentIds()
    {
        var at = new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 20)
            .Select(_ => ScheduleIds.OccurrenceMessageId(ScheduleIds.New("t.lee", TimeProvider.System), at))
            .ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("t.lee:1732365600123456789")]
    [InlineData("t lee~1")]
    [InlineData("~1")]
    [InlineData("t.lee~")]
    [InlineData("t.lee~12a")]
    public void TryParse_RejectsWhatIsNotAScheduleId(string id) => Assert.False(ScheduleIds.TryParse(id, out _));
}
