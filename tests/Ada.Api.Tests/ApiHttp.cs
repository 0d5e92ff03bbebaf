namespace Ada.Api.Tests;

/// <summary>
/// Requests to the API and checks of its answers as every test here makes them, whatever app it started
/// (<see cref="ApiTest"/> or <see cref="SmsApiTest"/>); imported statically by the project.
/// </summary>
public static class ApiHttp
{
    /// <summary>The keys a queued message writes; the SMS channel adds <c>shortid:</c>.</summary>
    private static readonly string[] QueuedKeyPrefixes =
        ["history:", "delivery:", "recipients:", "answer:", "due:", "quota:", "sent:", "messages:", "shortid:"];

    public static StringContent Json(string json) => AdaApplication.Json(json);

    public static Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) => AdaApplication.ReadJsonAsync(response);

    /// <summary>Queues <paramref name="body"/> (a <c>POST /v1/queue</c>), fails unless it is accepted, and answers the message's id.</summary>
    public static async Task<string> QueueAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/v1/queue", Json(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("id").GetString()!;
    }

    /// <summary>Asserts the status and that the answer is a problem document with that status; returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString()!;

    /// <summary>No key of a queued message exists in <paramref name="app"/>'s database: nothing was written, not even Ada's answer.</summary>
    public static async Task AssertNothingQueuedAsync(AdaApplication app)
    {
        var written = (await app.KeysAsync())
            .Where(k => QueuedKeyPrefixes.Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        Assert.True(written.Count == 0, "written: " + string.Join(", ", written));
    }
}
