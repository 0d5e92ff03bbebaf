namespace Ada.Sandbox;

/// <summary>The addresses the sandbox calls or links to (webhooks, callbacks, buttons): absolute, http or https.</summary>
public static class HttpUrls
{
    public static bool TryParse(string? value, out Uri url) => Uri.TryCreate(value, UriKind.Absolute, out url!) && IsHttp(url);

    public static bool IsHttp(Uri url) => url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
}
