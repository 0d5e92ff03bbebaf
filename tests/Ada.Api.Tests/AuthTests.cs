using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class AuthTests(RedisServer redis) : ApiTest(redis)
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    public async Task MissingOrWrongToken_Returns401ProblemWithChallenge(string? authorization)
    {
        using var client = App.Client(null);
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }
        foreach (var path in new[] { "/v1/users/u1", "/v1/history?limit=5" })
        {
            using var response = await client.GetAsync(path);
            await ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
        using var queue = await client.PostAsync("/v1/queue", Json("""{"text":"x","to":{"users":["u1"]}}"""));
        await ProblemAsync(queue, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Token_ForTeacher_WorksAndIsStoredOnlyHashed()
    {
        var token = await App.UserAsync("t1", "teacher");
        Assert.StartsWith("ada_", token, StringComparison.Ordinal);
        using var teacher = App.Client(token);
        using var response = await teacher.PostAsync("/v1/history-key", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("t1:", (await ReadJsonAsync(response)).GetProperty("id").GetString(), StringComparison.Ordinal);

        foreach (var key in await App.KeysAsync())
        {
            Assert.DoesNotContain(token, key, StringComparison.Ordinal);
            if (await App.Db.KeyTypeAsync(key) == StackExchange.Redis.RedisType.String)
            {
                Assert.DoesNotContain(token, (await App.Db.StringGetAsync(key)).ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Token_UnknownUser_Returns404_MalformedUser_Returns400()
    {
        using var unknown = await Admin.PostAsync("/v1/tokens", Json("""{"userId":"ghost"}"""));
        await ProblemAsync(unknown, HttpStatusCode.NotFound);
        using var malformed = await Admin.PostAsync("/v1/tokens", Json("""{"userId":"a b"}"""));
        Assert.Contains("'userId'", Detail(await ProblemAsync(malformed, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        using var missing = await Admin.PostAsync("/v1/tokens", Json("{}"));
        await ProblemAsync(missing, HttpStatusCode.BadRequest);
        Assert.Empty(await App.KeysAsync());
    }

    [Fact]
    public async Task Student_Queue_Returns403StudentsCannotSend()
    {
        var student = await App.UserAsync("s1", "student");
        using var client = App.Client(student);
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["s1"]}}"""));
        Assert.Equal("students cannot send messages", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)));
        using var history = await client.GetAsync("/v1/history");
        await ProblemAsync(history, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RoleChange_TakesEffectWithinTheCacheTime()
    {
        var token = await App.UserAsync("x1", "student");
        using var client = App.Client(token);
        using (var before = await client.PostAsync("/v1/history-key", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }
        await App.PutAsync("/v1/users/x1", """{"name":"X","role":"teacher"}""");
        await Eventually.WaitAsync(async () =>
        {
            using var after = await client.PostAsync("/v1/history-key", null);
            return after.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(15), "the new role to be seen");
    }

    [Fact]
    public async Task HealthMetricsAndOpenApi_NeedNoToken()
    {
        using var client = App.Client(null);
        foreach (var path in new[] { "/health/live", "/health/ready", "/metrics", "/openapi/v1.json" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task OpenApi_DescribesEveryEndpoint()
    {
        using var client = App.Client(null);
        using var response = await client.GetAsync("/openapi/v1.json");
        var document = await ReadJsonAsync(response);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[]
        {
            "/v1/users/{userId}", "/v1/groups/{groupId}", "/v1/supergroups/{id}", "/v1/import", "/v1/tokens",
            "/v1/history-key", "/v1/queue", "/v1/queue/{id}/reschedule", "/v1/queue/{id}/send-now", "/v1/queue/{id}/cancel",
            "/v1/history", "/v1/history/{id}", "/v1/history/{id}/receipts", "/v1/history/{id}/events",
            "/v1/telegram/webhook",
        })
        {
            Assert.Contains(path, paths);
        }
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));
        // What the scripts add after the fact is described too (DocumentShapeTests keeps the records complete).
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("ChannelSection").GetProperty("properties").TryGetProperty("delivered", out _));
        Assert.True(schemas.GetProperty("Receipt").GetProperty("properties").TryGetProperty("reportedAt", out _));
        Assert.True(schemas.GetProperty("User").GetProperty("properties").TryGetProperty("language", out _));
    }

    [Fact]
    public async Task MissingAdminToken_RefusesToStartNamingTheVariable()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => NewAppAsync(new Dictionary<string, string?> { ["Ada:AdminToken"] = "" }));
        var all = error is OptionsValidationException ? error.Message : error.ToString();
        Assert.Contains("Ada__AdminToken", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedQuietHours_RefusesToStartNamingTheSetting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = "late-early" }));
        Assert.Contains("Scheduling__QuietHours", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminToken_IsComparedExactly()
    {
        using var client = App.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdaApplication.AdminToken + "x");
        using var response = await client.GetAsync("/v1/users/u1");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
