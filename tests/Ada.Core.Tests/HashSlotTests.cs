namespace Ada.Core.Tests;

public sealed class HashSlotTests
{
    [Theory]
    // Values of CLUSTER KEYSLOT (Redis Cluster spec: CRC-16/XMODEM mod 16384).
    [InlineData("foo", 12182)]
    [InlineData("123456789", 12739)]
    [InlineData("0", 13907)]
    [InlineData("15", 4178)]
    public void Of_MatchesRedis(string tag, int slot) => Assert.Equal(slot, HashSlots.Of(tag));

    [Fact]
    public void EveryDueShard_HasItsOwnSlot()
    {
        var slots = Enumerable.Range(0, Keys.DueShards).Select(s => HashSlots.Of(s.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(Keys.DueShards, slots.Distinct().Count());
        for (var shard = 0; shard < Keys.DueShards; shard++)
        {
            Assert.Equal(shard, HashSlots.DueShardOfSlot(slots[shard]));
        }
        Assert.Null(HashSlots.DueShardOfSlot(0));
    }

    [Fact]
    public void NewIds_HashToTheSlotOfTheirDueShard()
    {
        var time = TimeProvider.System;
        var ids = Enumerable.Range(0, 2000).Select(i => MessageIds.New(i % 3 == 0 ? "t.lee" : "42", time)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.True(MessageIds.IsSlotAligned(id), id);
            Assert.True(MessageIds.TryParse(id, out _), id);
            var shard = Keys.DueShardOf(id);
            Assert.Equal(HashSlots.Of(shard.ToString(System.Globalization.CultureInfo.InvariantCulture)), HashSlots.Of(id));
        }
        // All 16 shards get used, not just a few.
        Assert.Equal(Keys.DueShards, ids.Select(Keys.DueShardOf).Distinct().Count());
    }

    [Fact]
    public void NewIds_IncreaseAndStayNearTheClock()
    {
        var before = (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        var ids = Enumerable.Range(0, 200).Select(_ => long.Parse(MessageIds.New("42", TimeProvider.System).Split(':')[1],
            System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var after = (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids[0] >= before, "ids are not older than the clock");
        // 200 ids, each at most a few microseconds past the previous one: well under 50 ms past the clock.
        Assert.True(ids[^1] - after < 50_000_000, $"the last id is {(ids[^1] - after) / 1000} µs ahead of the clock");
    }

    [Fact]
    public void ForeignIds_FallBackToACrcShard()
    {
        var foreign = Enumerable.Range(1, 5000).Select(i => $"42:{i}").First(id => !MessageIds.IsSlotAligned(id));
        Assert.InRange(Keys.DueShardOf(foreign), 0, Keys.DueShards - 1);
        Assert.Equal(Keys.DueShardOf(foreign), Keys.DueShardOf(foreign));
    }
}
