using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed partial class SessionTests(RedisServer redis) : ApiTest(redis)
{
    [GeneratedRegex(@"\b(\d{6})\b")]
    private static partial Regex SixDigits();

    [Fact]
    public async Task SignIn_WithCodeSentToOwnChannel_SetsHttpOnlyStrictCookie_AndMeAnswers()
    {
        await App.SeedAsync();
        using var browser = Browser();
        using var asked = await browser.PostAsync("/v1/session/code", Json("""{"login":"t1"}"""));
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);

        var (code, message) = await LastCodeAsync();
        Assert.Equal(["t1"], message.GetProperty("to").GetProperty("users").EnumerateArray().Select(u => u.GetString()));
        Assert.True(message.GetProperty("urgent").GetBoolean());
        Assert.Contains("код для входа", message.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("signin", message.GetProperty("origin").GetString());
        // Staff and admins reading the history (list, document, event stream) see the message, not the code.
        var id = message.GetProperty("id").GetString()!;
        using var listed = await Admin.GetAsync("/v1/history?all=true&limit=5");
        using var one = await Admin.GetAsync($"/v1/history/{id}");
        using var events = await Admin.GetAsync($"/v1/history/{id}/events?timeout=1");
        var fromList = (await ReadJsonAsync(listed)).EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);
        Assert.Contains("код для входа ••••••.", fromList.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("код для входа ••••••.", (await ReadJsonAsync(one)).GetProperty("text").GetString(), StringComparison.Ordinal);
        var stream = await events.Content.ReadAsStringAsync();
        Assert.Contains("event: snapshot", stream, StringComparison.Ordinal);
        foreach (var shown in new[] { fromList.GetRawText(), await one.Content.ReadAsStringAsync(), stream })
        {
            Assert.DoesNotContain(code, shown, StringComparison.Ordinal);
        }
        foreach (var key in await App.KeysAsync())
        {
            if (key.StartsWith("signin:", StringComparison.Ordinal))
            {
                var stored = await App.Db.HashGetAllAsync(key);
                Assert.DoesNotContain(stored, e => e.Value.ToString().Contains(code, StringComparison.Ordinal));
            }
        }

        using var signIn = await browser.PostAsync("/v1/session", Json($$"""{"login":"t1","code":"{{code}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("ada_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var me = await browser.GetAsync("/v1/me");
        var body = await ReadJsonAsync(me);
        Assert.Equal(("t1", "teacher", "code"),
            (body.GetProperty("id").GetString(), body.GetProperty("role").GetString(), body.GetProperty("signedInWith").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("antiforgeryToken").GetString()));

        using var again = await browser.PostAsync("/v1/session", Json($$"""{"login":"t1","code":"{{code}}"}"""));
        Assert.Equal("bad_code", (await ProblemAsync(again, HttpStatusCode.Unauthorized)).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task CodeRequest_UnknownLoginOrStudent_SameAnswer_NothingSent()
    {
        await App.SeedAsync();
        using var browser = Browser();
        var answers = new List<string>();
        foreach (var login in new[] { "t1", "ghost", "s1" })
        {
            using var response = await browser.PostAsync("/v1/session/code", Json($$"""{"login":"{{login}}"}"""));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }
        Assert.Single(answers.Distinct());
        using var history = await Admin.GetAsync("/v1/history?limit=10");
        Assert.Single((await ReadJsonAsync(history)).EnumerateArray());

        using var malformed = await browser.PostAsync("/v1/session/code", Json("""{"login":"a b"}"""));
        await ProblemAsync(malformed, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task WrongCodes_UseUpTheAttempts_ThenTheRightCodeFails()
    {
        await App.SeedAsync();
        using var browser = Browser();
        (await browser.PostAsync("/v1/session/code", Json("""{"login":"t1"}"""))).Dispose();
        var (code, _) = await LastCodeAsync();
        var wrong = code == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
        {
            using var attempt = await browser.PostAsync("/v1/session", Json($$"""{"login":"t1","code":"{{wrong}}"}"""));
            await ProblemAsync(attempt, HttpStatusCode.Unauthorized);
        }
        using var right = await browser.PostAsync("/v1/session", Json($$"""{"login":"t1","code":"{{code}}"}"""));
        await ProblemAsync(right, HttpStatusCode.Unauthorized);
        using var me = await browser.GetAsync("/v1/me");
        await ProblemAsync(me, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CodeRequests_PerLogin_AreLimited_With429AndRetryAfter()
    {
        await App.SeedAsync();
        using var browser = Browser();
        for (var i = 0; i < 10; i++) // Attempts__MaxFailures
        {
            using var ok = await browser.PostAsync("/v1/session/code", Json("""{"login":"ghost"}"""));
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }
        using var limited = await browser.PostAsync("/v1/session/code", Json("""{"login":"ghost"}"""));
        await ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
        using var other = await browser.PostAsync("/v1/session/code", Json("""{"login":"t1"}"""));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task CookieCalls_ThatChangeState_NeedTheAntiforgeryHeader_BearerCallsDoNot()
    {
        await App.SeedAsync();
        using var browser = await SignedInAsync("t1");
        var queue = """{"text":"hi","to":{"groups":["g1"]}}""";
        using var forged = await browser.PostAsync("/v1/queue", Json(queue));
        Assert.Equal("antiforgery", (await ProblemAsync(forged, HttpStatusCode.Forbidden)).GetProperty("reason").GetString());
        Assert.DoesNotContain("sent:{t1}", await App.KeysAsync());

        using var me = await browser.GetAsync("/v1/me");
        var token = (await ReadJsonAsync(me)).GetProperty("antiforgeryToken").GetString()!;
        using var wrongToken = new HttpRequestMessage(HttpMethod.Post, "/v1/queue") { Content = Json(queue) };
        wrongToken.Headers.Add("X-Ada-Antiforgery", token + "x");
        await ProblemAsync(await browser.SendAsync(wrongToken), HttpStatusCode.Forbidden);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/queue") { Content = Json(queue) };
        request.Headers.Add("X-Ada-Antiforgery", token);
        using var sent = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.StartsWith("t1:", (await ReadJsonAsync(sent)).GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_EndsTheSessionOnTheServer()
    {
        await App.SeedAsync();
        using var browser = App.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        (await browser.PostAsync("/v1/session/code", Json("""{"login":"t1"}"""))).Dispose();
        var (code, _) = await LastCodeAsync();
        using var signIn = await browser.PostAsync("/v1/session", Json($$"""{"login":"t1","code":"{{code}}"}"""));
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        browser.DefaultRequestHeaders.Add("Cookie", cookie);

        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "/v1/session");
        signOut.Headers.Add("X-Ada-Antiforgery", await AntiforgeryAsync(browser));
        using var done = await browser.SendAsync(signOut);
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);

        // The old cookie, replayed by someone who kept it, no longer works.
        using var me = await browser.GetAsync("/v1/me");
        Assert.Contains("ended", Detail(await ProblemAsync(me, HttpStatusCode.Unauthorized)), StringComparison.Ordinal);
        Assert.DoesNotContain(await App.KeysAsync(), k => k.StartsWith("session:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demotion_EndsEverySessionOfTheUser()
    {
        await App.SeedAsync();
        using var first = await SignedInAsync("t1");
        using var second = await SignedInAsync("t1");
        await App.PutAsync("/v1/users/t1", """{"name":"t1","role":"student","contacts":{"telegram":"1001"}}""");
        foreach (var browser in new[] { first, second })
        {
            using var me = await browser.GetAsync("/v1/me");
            await ProblemAsync(me, HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task AdminToken_SignsInAsAdmin_WrongTokenIsRefused()
    {
        using var browser = Browser();
        using var wrong = await browser.PostAsync("/v1/session", Json("""{"adminToken":"nope"}"""));
        await ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        using var signIn = await browser.PostAsync("/v1/session", Json($$"""{"adminToken":"{{AdaApplication.AdminToken}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        using var me = await browser.GetAsync("/v1/me");
        var body = await ReadJsonAsync(me);
        Assert.Equal(("admin", "admin-token"), (body.GetProperty("role").GetString(), body.GetProperty("signedInWith").GetString()));
        using var user = await browser.GetAsync("/v1/users/t1");
        await ProblemAsync(user, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TrackerEventStream_AcceptsTheCookie()
    {
        await App.SeedAsync();
        using var browser = await SignedInAsync("t1");
        using var key = new HttpRequestMessage(HttpMethod.Post, "/v1/history-key");
        key.Headers.Add("X-Ada-Antiforgery", await AntiforgeryAsync(browser));
        var id = (await ReadJsonAsync(await browser.SendAsync(key))).GetProperty("id").GetString()!;
        using var stream = await browser.GetAsync($"/v1/history/{id}/events?timeout=1", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        var text = await stream.Content.ReadAsStringAsync();
        Assert.Contains("event: snapshot", text, StringComparison.Ordinal);
        Assert.Contains("event: end", text, StringComparison.Ordinal);
    }

    private HttpClient Browser() => App.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });

    private async Task<HttpClient> SignedInAsync(string login)
    {
        var browser = Browser();
        (await browser.PostAsync("/v1/session/code", Json($$"""{"login":"{{login}}"}"""))).Dispose();
        var (code, _) = await LastCodeAsync();
        using var signIn = await browser.PostAsync("/v1/session", Json($$"""{"login":"{{login}}","code":"{{code}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        return browser;
    }

    private static async Task<string> AntiforgeryAsync(HttpClient browser)
    {
        using var me = await browser.GetAsync("/v1/me");
        return (await ReadJsonAsync(me)).GetProperty("antiforgeryToken").GetString()!;
    }

    /// <summary>
    /// The newest message from Ada (the admin user) and the six-digit code in its text, read from Redis as its courier
    /// reads it (the API shows readers the code's digits hidden).
    /// </summary>
    private async Task<(string Code, JsonElement Message)> LastCodeAsync()
    {
        var id = (await App.Db.SortedSetRangeByRankAsync(Keys.SenderHistory("admin"), -1, -1)).Single().ToString();
        var message = JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement.Clone();
        return (SixDigits().Match(message.GetProperty("text").GetString()!).Groups[1].Value, message);
    }
}
