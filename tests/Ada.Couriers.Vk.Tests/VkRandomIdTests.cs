namespace Ada.Couriers.Vk.Tests;

public sealed class VkRandomIdTests
{
    private const string Id = "t.lee:1732365600123456789";

    [Fact]
    public void For_SameCall_IsTheSameEveryTime()
    {
        Assert.Equal(VkRandomId.For(Id, 0, 1, [1, 2, 3]), VkRandomId.For(Id, 0, 1, [1, 2, 3]));
    }

    [Fact]
    public void For_KnownCall_IsStableAcrossVersions()
    {
        // SHA-256("t.lee:…\nvk\n0/1\n1,2,3"), first 4 bytes big-endian, top bit cleared. A changed derivation
        // would make a courier of a new version resend what an old one had sent.
        Assert.Equal(VkRandomId.For(Id, 0, 1, [1, 2, 3]), VkRandomId.For(Id, 0, 1, new List<long> { 1, 2, 3 }));
        Assert.Equal(690_985_042, VkRandomId.For(Id, 0, 1, [1, 2, 3]));
    }

    [Fact]
    public void For_AnotherMessagePartOrRecipientList_Differs()
    {
        var ids = new[]
        {
            VkRandomId.For(Id, 0, 1, [1, 2, 3]),
            VkRandomId.For("t.lee:1732365600123456790", 0, 1, [1, 2, 3]),
            VkRandomId.For(Id, 1, 2, [1, 2, 3]),
            VkRandomId.For(Id, 0, 2, [1, 2, 3]),
            VkRandomId.For(Id, 0, 1, [1, 2]),
            VkRandomId.For(Id, 0, 1, [3, 2, 1]),
            VkRandomId.For(Id, 0, 1, [12, 3]),
        };

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void For_ManyCalls_ArePositiveInt32s()
    {
        var ids = Enumerable.Range(0, 10_000).Select(i => VkRandomId.For($"s:{i}", 0, 1, [i])).ToList();

        Assert.All(ids, id => Assert.InRange(id, 1, int.MaxValue));
        Assert.True(ids.Distinct().Count() > 9_990, "random_ids should rarely collide");
    }
}
