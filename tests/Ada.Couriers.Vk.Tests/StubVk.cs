using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Ada.Couriers.Vk.Tests;

/// <summary>An HTTP handler that answers what the test says and keeps every request's form, for the client's wire format.</summary>
public sealed class StubVk(Func<StubVk.Request, HttpResponseMessage> answer) : HttpMessageHandler
{
    public sealed record Request(Uri Uri, string? ContentType, IReadOnlyDictionary<string, string> Form);

    public ConcurrentQueue<Request> Requests { get; } = new();

    public static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public VkApiClient Client(string baseUrl = "https://api.vk.test/method/") =>
        new(new HttpClient(this), new VkOptions { Token = "secret-token", BaseUrl = baseUrl });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        var captured = new Request(request.RequestUri!, request.Content?.Headers.ContentType?.MediaType, form);
        Requests.Enqueue(captured);
        return answer(captured);
    }
}
