using Ada.Core.Directory;

namespace Ada.Api.Http;

/// <summary>The language to speak to the person behind a request in: English when Accept-Language prefers it, else Russian.</summary>
public static class RequestLanguage
{
    public static string Of(HttpRequest request)
    {
        var preferred = request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value ?? "")
            .FirstOrDefault(l => l.StartsWith(Languages.English, StringComparison.OrdinalIgnoreCase)
                || l.StartsWith(Languages.Russian, StringComparison.OrdinalIgnoreCase));
        return preferred?.StartsWith(Languages.English, StringComparison.OrdinalIgnoreCase) == true ? Languages.English : Languages.Russian;
    }
}
