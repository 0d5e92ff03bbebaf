namespace Ada.Couriers.Vk.Tests;

public sealed class VkTextTests
{
    [Fact]
    public void Split_ShortText_IsOnePart()
    {
        Assert.Equal(["Лекция отменена"], VkText.Split("Лекция отменена"));
        Assert.Single(VkText.Split(new string('я', VkText.MaxLength)));
    }

    [Fact]
    public void Split_LongText_CutsOnLineBreaksWithinTheLimit()
    {
        var line = new string('а', 99);
        var text = string.Join('\n', Enumerable.Repeat(line, 200));

        var parts = VkText.Split(text);

        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, VkText.MaxLength));
        Assert.Equal(text, string.Join('\n', parts));
    }

    [Fact]
    public void Split_NoSpaces_NeverCutsASurrogatePair()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 10)) + "x";

        var parts = VkText.Split(text, 5);

        Assert.All(parts, p => Assert.False(char.IsHighSurrogate(p[^1]), $"'{p}' ends inside a surrogate pair"));
        Assert.Equal(text, string.Concat(parts));
    }
}
