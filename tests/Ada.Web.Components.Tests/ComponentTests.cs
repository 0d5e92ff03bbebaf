using System.Globalization;
using System.Text.Json;
using Ada.Web.Layout;
using Ada.Web.Services;
using Bunit;

namespace Ada.Web.Components.Tests;

/// <summary>The web app's components rendered by bUnit: the compose counters and a refusal in words.</summary>
public sealed class ComponentTests : BunitContext
{
    private static readonly JsonElement[] Channels = JsonDocument.Parse("""
        [{"name":"telegram"},{"name":"vk","maxTextLength":9000},{"name":"sms","maxSmsSegments":3}]
        """).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();

    public ComponentTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("ru-RU");
    }

    private string[] Counters(string text) =>
        [.. Render<TextCounters>(p => p.Add(c => c.Text, text).Add(c => c.Channels, Channels)).FindAll("#counters span").Select(s => s.TextContent)];

    [Fact]
    public void Counters_ShowLengthPerChannel_AndGsm7SegmentsAgainstTheCap()
    {
        var counters = Counters("Lecture moved to room 305");
        Assert.Equal(["Символов: 25", "Telegram: 25/4 096", "ВКонтакте: 25/9 000", "SMS: 1/3 частей, GSM-7"],
            counters.Select(c => c.Replace('\u00a0', ' ').Replace('\u202f', ' ')));
    }

    [Fact]
    public void Counters_SwitchToUcs2ForCyrillic_AndMarkTheSmsCapExceeded()
    {
        // UCS-2: 70 characters in one segment, 67 a segment when split; 4 segments are over a cap of 3.
        var text = new string('ж', 67 * 3 + 1);
        var cut = Render<TextCounters>(p => p.Add(c => c.Text, text).Add(c => c.Channels, Channels));
        var sms = cut.FindAll("#counters span").Single(s => s.TextContent.StartsWith("SMS", StringComparison.Ordinal));
        Assert.Equal("SMS: 4/3 частей, UCS-2", sms.TextContent);
        Assert.Equal("over", sms.GetAttribute("class"));
        Assert.Null(cut.FindAll("#counters span").Single(s => s.TextContent.StartsWith("Telegram", StringComparison.Ordinal)).GetAttribute("class"));
    }

    [Fact]
    public void Counters_MarkATelegramTextOverItsLimit()
    {
        var cut = Render<TextCounters>(p => p.Add(c => c.Text, new string('a', 4097)).Add(c => c.Channels, Channels));
        var telegram = cut.FindAll("#counters span").Single(s => s.TextContent.StartsWith("Telegram", StringComparison.Ordinal));
        Assert.Equal("over", telegram.GetAttribute("class"));
    }

    [Fact]
    public void Counters_AreInEnglish_WhenTheBrowserAsks()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("en-US");
        Assert.Equal("Characters: 2", Counters("hi")[0]);
        Assert.True(L.English);
    }

    [Fact]
    public void ARefusal_IsAnAlertWithItsWords_AndNothingIsShownWithoutOne()
    {
        var refusal = Render<ErrorText>(p => p.Add(c => c.Id, "to-error").Add(c => c.Text, "Не больше 3 получателей, выбрано 4."));
        var alert = refusal.Find("#to-error p[role=alert]");
        Assert.Equal("Не больше 3 получателей, выбрано 4.", alert.TextContent);
        Assert.Equal("assertive", refusal.Find("#to-error").GetAttribute("aria-live"));

        var none = Render<ErrorText>(p => p.Add(c => c.Id, "text-error").Add(c => c.Text, null));
        Assert.Empty(none.FindAll("[role=alert]"));
        Assert.NotNull(none.Find("#text-error"));
    }
}
