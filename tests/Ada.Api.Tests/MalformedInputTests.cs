using System.Text;

namespace Ada.Api.Tests;

/// <summary>No input may produce a 5xx: every bad request is a 4xx problem whose detail says what is wrong.</summary>
[Collection(RedisCollection.Name)]
public sealed class MalformedInputTests(RedisServer redis) : ApiTest(redis)
{
    [Theory]
    [InlineData("{\"text\":", "not valid JSON")]
    [InlineData("{\"text\":\"hi\",}", "not valid JSON")]
    [InlineData("{'text':'hi'}", "not valid JSON")]
    [InlineData("[1,2]", "The body must be a JSON object")]
    [InlineData("\"text\"", "The body must be a JSON object")]
    [InlineData("null", "null")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("{\"text\":5,\"to\":{\"users\":[\"u1\"]}}", "'text' must be a string")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":\"u1\"}}", "'to.users' must be a JSON array")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":[1]}}", "'to.users[0]' must be a string")]
    [InlineData("{\"text\":\"hi\",\"to\":[]}", "'to' must be a JSON object")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":[\"u1\"]},\"urgent\":\"yes\"}", "'urgent' must be true or false")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":[\"u1\"]},\"sendAt\":12}", "'sendAt' must be a string")]
    [InlineData("{\"text\":\"\\ud800\",\"to\":{\"users\":[\"u1\"]}}", "'text' holds text that cannot be read")]
    [InlineData("{\"text\":\"a\\u0000b\",\"to\":{\"users\":[\"u1\"]}}", "'text' must not contain control characters")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":[\"u\\u0001\"]}}", "'to.users[0]'")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":[null]}}", "'to.users[0]'")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":[\"u1\"]},\"id\":\"x:99999999999999999999999999\"}", "'id'")]
    [InlineData("{\"text\":\"hi\",\"to\":{\"users\":[\"u1\"]},\"origin\":\"fax\"}", "'origin'")]
    public async Task Queue_MalformedBody_Returns400NamingTheProblem(string body, string expected)
    {
        await App.UserAsync("u1", "teacher");
        using var response = await Admin.PostAsync("/v1/queue", Json(body));
        Assert.Contains(expected, Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Body_DeeplyNested_Returns400()
    {
        var body = "{\"text\":\"hi\",\"to\":" + new string('[', 5000) + new string(']', 5000) + "}";
        using var response = await Admin.PostAsync("/v1/queue", Json(body));
        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Body_InvalidUtf8_Returns400()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"name\":\"X\",\"role\":\"student\"}");
        bytes[10] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        using var response = await Admin.PutAsync("/v1/users/u1", content);
        await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(await App.KeysAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Body_NotJson_Returns415(string? contentType)
    {
        using var content = new StringContent("{\"name\":\"X\",\"role\":\"student\"}");
        content.Headers.ContentType = contentType is null ? null : new(contentType);
        using var response = await Admin.PutAsync("/v1/users/u1", content);
        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Body_Missing_IsAProblemNotAServerError()
    {
        using var response = await Admin.PostAsync("/v1/import", null);
        Assert.True((int)response.StatusCode is 400 or 415, $"{(int)response.StatusCode}");
        await ProblemAsync(response, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/v1/nothing-here")]
    [InlineData("GET", "/v1")]
    [InlineData("DELETE", "/v1/users/u1")]
    public async Task UnknownRouteOrMethod_Returns4xxProblem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await Admin.SendAsync(request);
        Assert.True((int)response.StatusCode is 404 or 405, $"{(int)response.StatusCode}");
        Assert.Contains("/openapi/v1.json", Detail(await ProblemAsync(response, response.StatusCode)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/history/not-an-id")]
    [InlineData("/v1/history/admin:1:2")]
    [InlineData("/v1/history/admin:123456789012345678901234567890")]
    [InlineData("/v1/history/admin%3A1%0A")]
    [InlineData("/v1/history?limit=0")]
    [InlineData("/v1/history?limit=abc")]
    [InlineData("/v1/history?limit=99999999999999999999")]
    [InlineData("/v1/history?limit=501")]
    [InlineData("/v1/history/admin:1/events?timeout=0")]
    [InlineData("/v1/history/admin:1/events?timeout=601")]
    [InlineData("/v1/history/admin:1/events?timeout=1.5")]
    [InlineData("/v1/users/a%20b")]
    [InlineData("/v1/history?sender=a%20b")]
    public async Task MalformedIdsAndQueries_Return400(string path)
    {
        using var response = await Admin.GetAsync(path);
        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }
}
