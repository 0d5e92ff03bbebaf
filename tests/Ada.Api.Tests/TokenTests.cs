using Ada.Core.Directory;
using Microsoft.Extensions.Options;

namespace Ada.Api.Tests;

/// <summary>Tokens expire, are listed without their secret, and can be revoked one by one or all at once by demoting the user.</summary>
[Collection(RedisCollection.Name)]
public sealed class TokenTests(RedisServer redis) : ApiTest(redis)
{
    private async Task<JsonElement> IssueAsync(string userId, int? days = null)
    {
        var body = days is null ? $$"""{"userId":"{{userId}}"}""" : $$"""{"userId":"{{userId}}","expiresInDays":{{days}}}""";
        using var response = await Admin.PostAsync("/v1/tokens", Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private async Task<HttpStatusCode> StatusWithAsync(string token)
    {
        using var client = App.Client(token);
        using var response = await client.GetAsync("/v1/tokens");
        return response.StatusCode;
    }

    private static DateTimeOffset Time(JsonElement e, string name) =>
        DateTimeOffset.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Create_ExpiresAfterTheDefaultOrTheRequestedDays()
    {
        await App.PutAsync("/v1/users/t1", """{"name":"T1","role":"teacher"}""");

        var standard = await IssueAsync("t1");
        var integration = await IssueAsync("t1", 3650);

        Assert.Equal(TimeSpan.FromDays(90), Time(standard, "expiresAt") - Time(standard, "createdAt"));
        Assert.Equal(TimeSpan.FromDays(3650), Time(integration, "expiresAt") - Time(integration, "createdAt"));
        var hash = TokenStore.Hash(standard.GetProperty("token").GetString()!);
        Assert.InRange((await App.Db.KeyTimeToLiveAsync(Keys.Token(hash)))!.Value, TimeSpan.FromDays(89.9), TimeSpan.FromDays(90));
        using var tooLong = await Admin.PostAsync("/v1/tokens", Json("""{"userId":"t1","expiresInDays":3651}"""));
        Assert.Contains("expiresInDays", Detail(await ProblemAsync(tooLong, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_IsRefused()
    {
        await App.PutAsync("/v1/users/t1", """{"name":"T1","role":"teacher"}""");
        var token = (await IssueAsync("t1")).GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(token));

        // As if its lifetime had passed: the record says so even if the key were still there.
        var key = Keys.Token(TokenStore.Hash(token));
        var record = JsonSerializer.Deserialize<TokenRecord>((await App.Db.StringGetAsync(key)).ToString(), Core.Messages.AdaJson.Options)!;
        await App.Db.StringSetAsync(key, Core.Messages.AdaJson.Serialize(record with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1) }));
        var fresh = App.Services.GetService(typeof(Microsoft.Extensions.Caching.Memory.IMemoryCache)) as Microsoft.Extensions.Caching.Memory.IMemoryCache;
        fresh!.Remove(Auth.BearerAuthenticationHandler.CacheKey(TokenStore.Hash(token)));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(token));
    }

    [Fact]
    public async Task List_AdminSeesAnyone_UserOnlyTheirOwn_NeverTheSecret()
    {
        var teacher = await App.UserAsync("t1", "teacher");
        var student = await App.UserAsync("s1", "student");

        using (var response = await Admin.GetAsync("/v1/tokens"))
        {
            var all = (await ReadJsonAsync(response)).EnumerateArray().ToList();
            Assert.Equal(["s1", "t1"], all.Select(t => t.GetProperty("userId").GetString()!).Order());
            Assert.All(all, t => Assert.Equal(["createdAt", "expiresAt", "id", "userId"], t.EnumerateObject().Select(p => p.Name).Order()));
            Assert.DoesNotContain(teacher, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var response = await Admin.GetAsync("/v1/tokens?userId=s1"))
        {
            Assert.Single((await ReadJsonAsync(response)).EnumerateArray(), t => t.GetProperty("userId").GetString() == "s1");
        }
        using var asStudent = App.Client(student);
        using (var response = await asStudent.GetAsync("/v1/tokens"))
        {
            Assert.Single((await ReadJsonAsync(response)).EnumerateArray(), t => t.GetProperty("userId").GetString() == "s1");
        }
        using (var response = await asStudent.GetAsync("/v1/tokens?userId=t1"))
        {
            await ProblemAsync(response, HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task Delete_RevokesAtOnce_OnlyOwnOrByAdmin()
    {
        var teacher = await App.UserAsync("t1", "teacher");
        var student = await App.UserAsync("s1", "student");
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(teacher));
        using var admin = App.Client();
        var teacherTokenId = (await ReadJsonAsync(await admin.GetAsync("/v1/tokens?userId=t1")))[0].GetProperty("id").GetString()!;

        using var asStudent = App.Client(student);
        using (var response = await asStudent.DeleteAsync($"/v1/tokens/{teacherTokenId}"))
        {
            await ProblemAsync(response, HttpStatusCode.NotFound);
        }
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(teacher));

        using var asTeacher = App.Client(teacher);
        using (var response = await asTeacher.DeleteAsync($"/v1/tokens/{teacherTokenId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(teacher));
        using (var response = await admin.DeleteAsync($"/v1/tokens/{teacherTokenId}"))
        {
            await ProblemAsync(response, HttpStatusCode.NotFound);
        }
        using (var response = await admin.DeleteAsync("/v1/tokens/not-a-token"))
        {
            await ProblemAsync(response, HttpStatusCode.BadRequest);
        }
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(student));
    }

    [Fact]
    public async Task Demoting_RevokesEveryTokenOfTheUser_PromotingDoesNot()
    {
        var staff = await App.UserAsync("st1", "staff");
        var second = (await IssueAsync("st1")).GetProperty("token").GetString()!;
        var teacher = await App.UserAsync("t1", "teacher");
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(staff));

        await App.PutAsync("/v1/users/t1", """{"name":"T1","role":"staff"}""");
        await App.PutAsync("/v1/users/st1", """{"name":"St1","role":"teacher"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(staff));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(second));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(teacher));
        using var listed = await Admin.GetAsync("/v1/tokens?userId=st1");
        Assert.Empty((await ReadJsonAsync(listed)).EnumerateArray());

        // The same through a bulk import.
        using var import = await Admin.PostAsync("/v1/import", Json("""{"users":[{"id":"t1","name":"T1","role":"student"}]}"""));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(teacher));
    }

    /// <summary>
    /// There is no endpoint that removes a user; an operator may delete the user's key. Their token then resolves
    /// to nobody (on an instance that has not cached it within the last 10 s).
    /// </summary>
    [Fact]
    public async Task RemovedUser_TheirTokenResolvesToNobody()
    {
        var teacher = await App.UserAsync("t1", "teacher");
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(teacher));

        Assert.True(await App.Db.KeyDeleteAsync(Keys.User("t1")));

        var fresh = await NewAppAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = RedisOf(App) });
        using var client = fresh.Client(teacher);
        using var response = await client.GetAsync("/v1/tokens");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ShortAdminToken_RefusesToStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            NewAppAsync(new Dictionary<string, string?> { ["Ada:AdminToken"] = new string('x', 31) }));
        var all = error is OptionsValidationException ? error.Message : error.ToString();
        Assert.Contains("Ada__AdminToken", all, StringComparison.Ordinal);
        Assert.Contains("32", all, StringComparison.Ordinal);
    }
}
