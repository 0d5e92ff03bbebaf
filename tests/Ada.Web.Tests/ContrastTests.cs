namespace Ada.Web.Tests;

/// <summary>
/// The app's palette (services/Ada.Web/wwwroot/css/app.css) against WCAG 2.x: every text colour on every background it
/// is drawn on has a contrast ratio of at least 4.5:1 (normal text, level AA).
/// </summary>
public sealed partial class ContrastTests
{
    private static readonly string Css = File.ReadAllText(Path.Combine(WebStack.RepositoryRootPath, "services", "Ada.Web", "wwwroot", "css", "app.css"));

    /// <summary>(text, background, where): colours as the stylesheet names them (a variable or a literal).</summary>
    public static TheoryData<string, string, string> Pairs() => new()
    {
        { "--fg", "--bg", "body text" },
        { "--muted", "--bg", "counters, who is signed in" },
        { "--accent", "--bg", "links, secondary buttons" },
        { "#fff", "--accent", "primary buttons" },
        { "#fff", "--bad", "danger buttons" },
        { "--bad", "--bg", "over-limit counters" },
        { "--bad", "#fdecee", "refusals (.error)" },
        { "--fg", "#fff4e0", "notices (.notice)" },
        { "--accent", "#fff4e0", "links in notices" },
        { "--fg", "#e7f4ea", "success (.success)" },
        { "--fg", "--soft", "chips" },
        { "--accent", "--soft", "links on chips" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void TextOnItsBackground_HasAContrastOfAtLeast4point5(string text, string background, string where)
    {
        var ratio = Ratio(Colour(text), Colour(background));
        Assert.True(ratio >= 4.5, $"{where}: {text} on {background} has a contrast of {ratio:0.00}:1, below 4.5:1.");
    }

    [Fact]
    public void TheRatio_IsComputedAsWcagDefinesIt()
    {
        Assert.Equal(21.0, Ratio(Colour("#000"), Colour("#fff")), 2);
        Assert.Equal(1.0, Ratio(Colour("#777"), Colour("#777")), 2);
        Assert.Equal(4.48, Ratio(Colour("#777777"), Colour("#ffffff")), 2);
    }

    /// <summary>A <c>--name</c> resolved from the stylesheet's <c>:root</c>, or a literal <c>#rgb</c> / <c>#rrggbb</c>.</summary>
    private static (double R, double G, double B) Colour(string name)
    {
        var hex = name;
        if (name.StartsWith("--", StringComparison.Ordinal))
        {
            var match = Regex.Match(Css, Regex.Escape(name) + @"\s*:\s*(#[0-9a-fA-F]{3,6})\s*;");
            Assert.True(match.Success, $"{name} is not defined as a hex colour in app.css");
            hex = match.Groups[1].Value;
        }
        hex = hex.TrimStart('#');
        if (hex.Length == 3)
        {
            hex = string.Concat(hex.Select(c => $"{c}{c}"));
        }
        double Channel(int at) => int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
        return (Channel(0), Channel(2), Channel(4));
    }

    private static double Ratio((double R, double G, double B) a, (double R, double G, double B) b)
    {
        static double Linear(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        static double Luminance((double R, double G, double B) c) => 0.2126 * Linear(c.R) + 0.7152 * Linear(c.G) + 0.0722 * Linear(c.B);
        var (l1, l2) = (Luminance(a), Luminance(b));
        return (Math.Max(l1, l2) + 0.05) / (Math.Min(l1, l2) + 0.05);
    }
}
