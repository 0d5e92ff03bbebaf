using System.Text;
using System.Text.Json;

namespace Ada.Couriers.Vk.Tests;

public sealed class VkExecuteCodeTests
{
    [Fact]
    public void Build_TwoCalls_ReturnsAnArrayOfPlainMessagesSendCalls()
    {
        var code = VkExecuteCode.Build([new VkSendCall([1, 2], "Лекция отменена", 123), new VkSendCall([3], "hi", 7)]);

        Assert.Equal(
            """return [API.messages.send({"peer_ids":"1,2","message":"Лекция отменена","random_id":123}),API.messages.send({"peer_ids":"3","message":"hi","random_id":7})];""",
            code);
    }

    [Theory]
    [InlineData("quotes \"inside\" and a \\ backslash")]
    [InlineData("two\nlines\r\nand\ta tab")]
    [InlineData("Лекция 10:00 отменена, аудитория 305")]
    [InlineData("emoji 😀👍🏽 and a lone ✓")]
    [InlineData("}); API.messages.send({\"peer_ids\":\"666\"}); return [")]
    [InlineData("\u2028 line separator, \u0001 control, </script> <b>&amp;'")]
    public void Arguments_AnyText_IsAJsonLiteralThatReadsBackExactly(string text)
    {
        var literal = VkExecuteCode.Arguments(new VkSendCall([42], text, 5));

        using var parsed = JsonDocument.Parse(literal);
        Assert.Equal(text, parsed.RootElement.GetProperty("message").GetString());
        Assert.Equal("42", parsed.RootElement.GetProperty("peer_ids").GetString());
        Assert.Equal(5, parsed.RootElement.GetProperty("random_id").GetInt32());
        Assert.DoesNotContain('\n', literal);
    }

    [Fact]
    public void Arguments_Cyrillic_StaysReadableAndEmojiBecomesSurrogateEscapes()
    {
        var literal = VkExecuteCode.Arguments(new VkSendCall([1], "Привет \"мир\" 😀", 1));

        Assert.Contains("Привет \\\"мир\\\" \\uD83D\\uDE00", literal, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WholeCodeOfAHostileText_HasExactlyTheCallsItWasGiven()
    {
        var hostile = "\"}),API.messages.send({\"peer_ids\":\"666\",\"message\":\"x\",\"random_id\":1}),API.messages.send({\"";
        var code = VkExecuteCode.Build([new VkSendCall([1], hostile, 1), new VkSendCall([2], "ok", 2)]);

        var calls = ReadCalls(code);

        Assert.Equal(["1", "2"], calls.Select(c => c.GetProperty("peer_ids").GetString()));
        Assert.Equal(hostile, calls[0].GetProperty("message").GetString());
    }

    [Fact]
    public void Build_LimitsOfVk_AreEnforced()
    {
        var peers = Enumerable.Range(1, 101).Select(i => (long)i).ToList();
        Assert.Throws<ArgumentOutOfRangeException>(() => VkExecuteCode.Build([new VkSendCall(peers, "x", 1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VkExecuteCode.Build([.. Enumerable.Range(1, 26).Select(i => new VkSendCall([i], "x", i))]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VkExecuteCode.Build([]));
        Assert.Equal(25, ReadCalls(VkExecuteCode.Build([.. Enumerable.Range(1, 25).Select(i => new VkSendCall(peers[..100], "x", i))])).Count);
    }

    /// <summary>The argument objects of <c>return [API.messages.send({…}),…];</c>, read as a JSON reader would.</summary>
    internal static List<JsonElement> ReadCalls(string code)
    {
        const string call = "API.messages.send(";
        Assert.StartsWith("return [", code, StringComparison.Ordinal);
        Assert.EndsWith("];", code, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(code);
        var calls = new List<JsonElement>();
        var at = "return [".Length;
        while (true)
        {
            Assert.Equal(call, Encoding.UTF8.GetString(bytes, at, call.Length));
            at += call.Length;
            var reader = new Utf8JsonReader(bytes.AsSpan(at), new JsonReaderOptions { AllowMultipleValues = true });
            using (var value = JsonDocument.ParseValue(ref reader))
            {
                calls.Add(value.RootElement.Clone());
            }
            at += (int)reader.BytesConsumed;
            Assert.Equal((byte)')', bytes[at++]);
            if (bytes[at] == (byte)']')
            {
                return calls;
            }
            Assert.Equal((byte)',', bytes[at++]);
        }
    }
}
