using System.Text;
using QRCoder;

namespace Ada.Api.Telegram;

/// <summary>The QR code of a link code's Telegram deep link, as SVG or PNG (QRCoder; no System.Drawing).</summary>
public static class LinkQrCodes
{
    public const string Svg = "image/svg+xml";
    public const string Png = "image/png";

    /// <summary>The image type the request's Accept header asks for, when it asks for one of them before JSON; null otherwise.</summary>
    public static string? Requested(HttpRequest request)
    {
        var preferred = request.GetTypedHeaders().Accept
            .Where(a => a.MediaType.Value is Svg or Png or "application/json")
            .OrderByDescending(a => a.Quality ?? 1)
            .Select(a => a.MediaType.Value)
            .FirstOrDefault();
        return preferred is Svg or Png ? preferred : null;
    }

    public static byte[] Draw(string link, string type)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(link, QRCodeGenerator.ECCLevel.M);
        return type == Png
            ? new PngByteQRCode(data).GetGraphic(10)
            : Encoding.UTF8.GetBytes(new SvgQRCode(data).GetGraphic(10));
    }
}
