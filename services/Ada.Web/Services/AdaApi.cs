using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Ada.Web.Services;

/// <summary>Who is signed in (<c>GET /v1/me</c>).</summary>
public sealed record Me(string Id, string Name, string Role, string SignedInWith, string? AntiforgeryToken,
    string? SessionExpiresAt, string TimeZone, string? QuietHours)
{
    public bool IsStaffOrAdmin => Role is "staff" or "admin";
}

/// <summary>
/// A refusal of the API in words: <c>message</c> (localized, when the API gives one) or <c>detail</c> (English; after a Russian summary of the status for a Russian reader),
/// with <c>reason</c>, the field errors and the problem's extensions, so a page can show it next to what caused it.
/// </summary>
public sealed record ApiProblem(int Status, string Text, string? Reason, IReadOnlyDictionary<string, string[]> Errors, JsonElement Raw)
{
    public bool Has(string extension) => Raw.ValueKind == JsonValueKind.Object && Raw.TryGetProperty(extension, out _);
}

public sealed record Paged(JsonElement Body, string? Next, int? Total);

public sealed class ApiException(ApiProblem problem) : Exception(problem.Text)
{
    public ApiProblem Problem { get; } = problem;
}

/// <summary>
/// The API over the session cookie (the browser sends it; same origin). Calls that change something carry
/// the session's anti-forgery token in <c>X-Ada-Antiforgery</c>.
/// </summary>
public sealed class AdaApi(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Me? Me { get; private set; }

    public event Action? Changed;

    public HttpClient Http => http;

    public async Task<Me?> LoadMeAsync()
    {
        using var response = await http.GetAsync("/v1/me");
        Me = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<Me>(Json) : null;
        Changed?.Invoke();
        return Me;
    }

    public async Task SignOutAsync()
    {
        try
        {
            await SendAsync(HttpMethod.Delete, "/v1/session");
        }
        finally
        {
            Me = null;
            Changed?.Invoke();
        }
    }

    public Task<JsonElement> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<JsonElement> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    public async Task<(JsonElement Body, string? Next)> GetPageAsync(string path)
    {
        var page = await GetPagedAsync(path);
        return (page.Body, page.Next);
    }

    /// <summary>One page of a list: the body, the next page's path (Link rel="next") and the <c>X-Total-Count</c> when given.</summary>
    public async Task<Paged> GetPagedAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(L.English ? "en" : "ru"));
        using var response = await http.SendAsync(request);
        var body = await ReadAsync(response);
        int? total = response.Headers.TryGetValues("X-Total-Count", out var totals)
            && int.TryParse(totals.First(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
        string? next = null;
        if (response.Headers.TryGetValues("Link", out var links))
        {
            foreach (var link in links.SelectMany(l => l.Split(',')))
            {
                if (link.Contains("rel=\"next\"", StringComparison.Ordinal))
                {
                    var start = link.IndexOf('<', StringComparison.Ordinal) + 1;
                    next = link[start..link.IndexOf('>', StringComparison.Ordinal)];
                }
            }
        }
        return new Paged(body, next, total);
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null, string? contentType = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string text && contentType is not null)
        {
            request.Content = new StringContent(text, Encoding.UTF8, contentType);
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        if (method != HttpMethod.Get && Me?.AntiforgeryToken is { } token)
        {
            request.Headers.Add("X-Ada-Antiforgery", token);
        }
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(L.English ? "en" : "ru"));
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized && Me is not null && !path.StartsWith("/v1/session", StringComparison.Ordinal))
        {
            Me = null;
            Changed?.Invoke();
        }
        return await ReadAsync(response);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonElement json = default;
        if (text.Length > 0)
        {
            try
            {
                json = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                json = default;
            }
        }
        if (response.IsSuccessStatusCode)
        {
            return json;
        }
        throw new ApiException(ToProblem((int)response.StatusCode, json));
    }

    private static ApiProblem ToProblem(int status, JsonElement json)
    {
        string? Str(string name) => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() : null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in e.EnumerateObject())
            {
                errors[field.Name] = [.. field.Value.EnumerateArray().Select(x => x.GetString() ?? "")];
            }
        }
        var inWords = status switch
        {
            401 => L.T("Нужно войти заново.", "Please sign in again."),
            403 => L.T("Недостаточно прав.", "Not allowed."),
            404 => L.T("Не найдено.", "Not found."),
            409 => L.T("Состояние уже изменилось; обновите страницу.", "It has changed meanwhile; reload the page."),
            429 => L.T("Слишком много попыток, попробуйте позже.", "Too many attempts; try later."),
            >= 500 => L.T("Сервер временно недоступен, попробуйте ещё раз.", "The server is unavailable; try again."),
            _ => L.T("Запрос отклонён.", "The request was refused.") + " (" + status.ToString(CultureInfo.InvariantCulture) + ")",
        };
        // 'message' is the API's text in the request's language; 'detail' is English only, so a Russian reader gets
        // the status in Russian first and the detail after it.
        var text = Str("message") ?? (Str("detail") is not { } detail ? inWords : L.English ? detail : inWords + " " + detail);
        return new ApiProblem(status, text, Str("reason"), errors, json);
    }
}
