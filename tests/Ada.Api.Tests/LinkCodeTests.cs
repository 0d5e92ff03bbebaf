using Ada.Core.Directory;

namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class LinkCodeTests(RedisServer redis) : ApiTest(redis)
{
    private int _eventIds;

    private string Message(long fromId, string text, long? peerId = null) => VkCallbackTests.Event("message_new",
        JsonSerializer.Serialize(new
        {
            message = new { id = 1, date = 1_732_365_600, from_id = fromId, peer_id = peerId ?? fromId, text, @out = 0 },
            client_info = new { keyboard = true, lang_id = 0 },
        }),
        $"m{Interlocked.Increment(ref _eventIds):x8}");

    private static async Task<(AdaApplication App, HttpClient Vk)> VkAppAsync(Func<Task<AdaApplication>> create)
    {
        var app = await create();
        return (app, app.Client(null));
    }

    private Task<(AdaApplication App, HttpClient Vk)> VkAppAsync() => VkAppAsync(() => NewAppAsync(VkCallbackTests.VkSettings));

    private static async Task<string> IssueAsync(AdaApplication app, string userId, string? token = AdaApplication.AdminToken)
    {
        using var client = app.Client(token);
        using var response = await client.PostAsync($"/v1/users/{userId}/link-codes", null);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await ReadJsonAsync(response)).GetProperty("code").GetString()!;
    }

    private static async Task<JsonElement> UserAsync(AdaApplication app, string id)
    {
        using var admin = app.Client();
        using var response = await admin.GetAsync($"/v1/users/{id}");
        return await ReadJsonAsync(response);
    }

    private static async Task<string?> VkOfAsync(AdaApplication app, string id) =>
        (await UserAsync(app, id)).GetProperty("contacts").TryGetProperty("vk", out var vk) ? vk.GetString() : null;

    [Fact]
    public async Task Issue_ByTheUserThemselves_Returns201WithATenCharacterCodeLivingADayStoredHashed()
    {
        var (app, _) = await VkAppAsync();
        var student = await app.UserAsync("s1", "student");
        using var client = app.Client(student);
        var before = DateTimeOffset.UtcNow;

        using var response = await client.PostAsync("/v1/users/s1/link-codes", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var answer = await ReadJsonAsync(response);
        var code = answer.GetProperty("code").GetString()!;
        Assert.Matches("^[2-9A-HJ-NP-Z]{10}$", code);
        var expiresAt = DateTimeOffset.Parse(answer.GetProperty("expiresAt").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt, before.AddHours(24).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(1));
        Assert.Equal("s1", (await app.Db.StringGetAsync(LinkCodeStore.KeyOf(code))).ToString());
        Assert.InRange((await app.Db.KeyTimeToLiveAsync(LinkCodeStore.KeyOf(code)))!.Value, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        foreach (var key in await app.KeysAsync())
        {
            Assert.DoesNotContain(code, key, StringComparison.Ordinal);
            if (await app.Db.KeyTypeAsync(key) == RedisType.String)
            {
                Assert.DoesNotContain(code, (await app.Db.StringGetAsync(key)).ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Issue_LinkCodeHoursConfigured_SetsTheLifetime()
    {
        var settings = new Dictionary<string, string?>(VkCallbackTests.VkSettings) { ["Vk:LinkCodeHours"] = "2" };
        var (app, _) = await VkAppAsync(() => NewAppAsync(settings));
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");

        var code = await IssueAsync(app, "s1");

        Assert.InRange((await app.Db.KeyTimeToLiveAsync(LinkCodeStore.KeyOf(code)))!.Value, TimeSpan.FromHours(1.9), TimeSpan.FromHours(2));
    }

    [Fact]
    public async Task Issue_ForSomeoneElse_IsRefusedUnlessAdmin()
    {
        var (app, _) = await VkAppAsync();
        var student = await app.UserAsync("s1", "student");
        var teacher = await app.UserAsync("t1", "teacher");
        foreach (var token in new[] { student, teacher })
        {
            using var client = app.Client(token);
            using var response = await client.PostAsync("/v1/users/s2/link-codes", null);
            Assert.Contains("admin", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        }
        using var anonymous = app.Client(null);
        using (var response = await anonymous.PostAsync("/v1/users/s1/link-codes", null))
        {
            await ProblemAsync(response, HttpStatusCode.Unauthorized);
        }
        Assert.Equal("s1", (await app.Db.StringGetAsync(LinkCodeStore.KeyOf(await IssueAsync(app, "s1")))).ToString());
        Assert.Single(await app.KeysAsync(), k => k.StartsWith(Keys.LinkCode("").ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Issue_UnknownOrInvalidUser_Returns404Or400()
    {
        var (app, _) = await VkAppAsync();
        using var admin = app.Client();
        using var unknown = await admin.PostAsync("/v1/users/ghost/link-codes", null);
        Assert.Contains("ghost", Detail(await ProblemAsync(unknown, HttpStatusCode.NotFound)), StringComparison.Ordinal);
        using var invalid = await admin.PostAsync("/v1/users/bad%20id/link-codes", null);
        await ProblemAsync(invalid, HttpStatusCode.BadRequest);
        Assert.Empty(await app.KeysAsync());
    }

    [Fact]
    public async Task MessageNew_WithTheCode_AttachesTheSenderAndTheCodeWorksOnce()
    {
        var (app, vk) = await VkAppAsync();
        var student = await app.UserAsync("s1", "student", """{"telegram":"77"}""");
        var code = await IssueAsync(app, "s1", student);

        Assert.Equal("ok", await VkCallbackTests.PostOkAsync(vk, Message(7001, $"Здравствуйте!\n мой код:  {code.ToLowerInvariant()}. ")));

        Assert.Equal("7001", await VkOfAsync(app, "s1"));
        Assert.Equal("7001", (await app.Db.HashGetAsync(Keys.Contacts("vk"), "s1")).ToString());
        Assert.Equal("s1", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "7001")).ToString());
        Assert.Equal("77", (await app.Db.HashGetAsync(Keys.Contacts("telegram"), "s1")).ToString());
        Assert.Equal(JsonValueKind.Array, (await UserAsync(app, "s1")).GetProperty("inactive").ValueKind);
        Assert.False(await app.Db.KeyExistsAsync(LinkCodeStore.KeyOf(code)));

        // A second use, from another account, changes nothing.
        await VkCallbackTests.PostOkAsync(vk, Message(7002, code));
        Assert.Equal("7001", await VkOfAsync(app, "s1"));
        Assert.False(await app.Db.HashExistsAsync(Keys.AddressOwners("vk"), "7002"));
    }

    [Fact]
    public async Task MessageNew_CyrillicLookalikesAndOldObjectShape_StillLink()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        await app.Db.StringSetAsync(LinkCodeStore.KeyOf("KMX234ABCD"), "s1", TimeSpan.FromHours(1));

        // Before API 5.103 the object was the message itself.
        await VkCallbackTests.PostOkAsync(vk, VkCallbackTests.Event("message_new",
            """{"id":5,"from_id":7001,"peer_id":7001,"text":"кмх234авсd"}""", "old-shape"));

        Assert.Equal("7001", await VkOfAsync(app, "s1"));
    }

    [Fact]
    public async Task MessageNew_RelinksAUserWhoDeniedEarlier_ReplacingTheOldVkId()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":"7001"}}""");
        await VkCallbackTests.PostOkAsync(vk, VkCallbackTests.Event("message_deny", """{"user_id":7001}""", "deny-1"));
        var code = await IssueAsync(app, "s1");

        await VkCallbackTests.PostOkAsync(vk, Message(7009, code));

        Assert.Equal("7009", await VkOfAsync(app, "s1"));
        Assert.Empty((await UserAsync(app, "s1")).GetProperty("inactive").EnumerateArray());
        Assert.Equal("7009", (await app.Db.HashGetAsync(Keys.Contacts("vk"), "s1")).ToString());
        Assert.False(await app.Db.HashExistsAsync(Keys.AddressOwners("vk"), "7001"));
        Assert.Equal("s1", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "7009")).ToString());
    }

    [Fact]
    public async Task MessageNew_VkIdOfAnotherUser_MovesToTheCodesUser()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        await app.PutAsync("/v1/users/s2", """{"name":"S2","role":"student","contacts":{"vk":"7001","telegram":"88"}}""");
        var code = await IssueAsync(app, "s1");

        await VkCallbackTests.PostOkAsync(vk, Message(7001, code));

        Assert.Equal("7001", await VkOfAsync(app, "s1"));
        Assert.Null(await VkOfAsync(app, "s2"));
        Assert.False(await app.Db.HashExistsAsync(Keys.Contacts("vk"), "s2"));
        Assert.Equal("88", (await app.Db.HashGetAsync(Keys.Contacts("telegram"), "s2")).ToString());
        Assert.Equal("s1", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "7001")).ToString());
    }

    [Fact]
    public async Task MessageNew_AfterAnUnknownAllow_LinksActiveAndForgetsTheAllowance()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        await VkCallbackTests.PostOkAsync(vk, VkCallbackTests.Event("message_allow", """{"user_id":7001}""", "allow-1"));
        Assert.True(await app.Db.SetContainsAsync(Keys.VkAllowed, "7001"));

        await VkCallbackTests.PostOkAsync(vk, Message(7001, await IssueAsync(app, "s1")));

        Assert.Equal("7001", (await app.Db.HashGetAsync(Keys.Contacts("vk"), "s1")).ToString());
        Assert.False(await app.Db.SetContainsAsync(Keys.VkAllowed, "7001"));
    }

    [Fact]
    public async Task MessageNew_ExpiredUnknownOrNoCode_ChangesNothing()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        var code = await IssueAsync(app, "s1");
        await app.Db.KeyExpireAsync(LinkCodeStore.KeyOf(code), DateTime.UtcNow.AddSeconds(-1));
        var unknown = code == "ABCDEFGHJK" ? "ABCDEFGHJL" : "ABCDEFGHJK";

        foreach (var text in new[] { code, unknown, "hello", "", $"{code}X", "0OI1LL0OI1" })
        {
            Assert.Equal("ok", await VkCallbackTests.PostOkAsync(vk, Message(7001, text)));
        }

        Assert.Null(await VkOfAsync(app, "s1"));
        Assert.False(await app.Db.KeyExistsAsync(Keys.Contacts("vk")));
        Assert.False(await app.Db.KeyExistsAsync(Keys.AddressOwners("vk")));
    }

    [Fact]
    public async Task Issue_Again_ReplacesTheUsersPreviousCode()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        var first = await IssueAsync(app, "s1");
        var codes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add(await IssueAsync(app, "s1"));
        }

        Assert.Single(await app.KeysAsync(), k => k.StartsWith(Keys.LinkCode("").ToString(), StringComparison.Ordinal));
        await VkCallbackTests.PostOkAsync(vk, Message(7001, first));
        Assert.Null(await VkOfAsync(app, "s1"));
        await VkCallbackTests.PostOkAsync(vk, Message(7001, codes[^1]));
        Assert.Equal("7001", await VkOfAsync(app, "s1"));
    }

    [Fact]
    public async Task MessageNew_ManyWrongCodesFromOneVkId_BlockItOnEveryInstanceEvenWithTheRightCode()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        await app.PutAsync("/v1/users/s2", """{"name":"S2","role":"student"}""");
        var code = await IssueAsync(app, "s1");
        var other = await IssueAsync(app, "s2");
        // A second API instance over the same database: the count is shared.
        var twin = await NewAppAsync(new Dictionary<string, string?>(VkCallbackTests.VkSettings)
        {
            ["ConnectionStrings:Redis"] = RedisOf(app),
        });
        using var twinVk = twin.Client(null);

        for (var i = 0; i < 12; i++)
        {
            var wrong = LinkCodes.New();
            await VkCallbackTests.PostOkAsync(i % 2 == 0 ? vk : twinVk, Message(7001, wrong));
        }
        await VkCallbackTests.PostOkAsync(twinVk, Message(7001, code));

        Assert.Null(await VkOfAsync(app, "s1"));
        Assert.True(await app.Db.KeyExistsAsync(LinkCodeStore.KeyOf(code)));
        // Another VK account is not affected.
        await VkCallbackTests.PostOkAsync(twinVk, Message(7002, other));
        Assert.Equal("7002", await VkOfAsync(app, "s2"));
    }

    /// <summary>The bot's <c>/start CODE</c> (issue 14, point 3): the same limit per Telegram chat, in Redis.</summary>
    [Fact]
    public async Task TelegramStart_ManyWrongCodesFromOneChat_BlockItEvenWithTheRightCode()
    {
        var app = await NewAppAsync(TelegramWebhookTests.WebhookSettings);
        using var telegram = app.Client(null);
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        await app.PutAsync("/v1/users/s2", """{"name":"S2","role":"student"}""");
        var code = await IssueAsync(app, "s1");
        var other = await IssueAsync(app, "s2");
        var updateId = 0;
        async Task StartAsync(long chatId, string typed)
        {
            var update = JsonSerializer.Serialize(new
            {
                update_id = Interlocked.Increment(ref updateId),
                message = new
                {
                    message_id = updateId, date = 1_732_365_600, text = $"/start {typed}",
                    chat = new { id = chatId, type = "private" },
                    from = new { id = chatId, is_bot = false, first_name = "S" },
                },
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/telegram/webhook") { Content = Json(update) };
            request.Headers.Add(Ada.Api.Telegram.TelegramWebhookApi.SecretHeader, TelegramWebhookTests.Secret);
            using var response = await telegram.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        for (var i = 0; i < 10; i++) // Attempts__MaxFailures
        {
            await StartAsync(4242, LinkCodes.New());
        }
        await StartAsync(4242, code);

        Assert.False((await app.Db.HashGetAsync(Keys.Contacts("telegram"), "s1")).HasValue);
        Assert.True(await app.Db.KeyExistsAsync(LinkCodeStore.KeyOf(code)));
        Assert.Contains(app.Logs, l => l.Contains("Blocked telegram code attempts", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs, l => l.Contains(code, StringComparison.Ordinal));
        // Another chat is not affected.
        await StartAsync(4343, other);
        Assert.Equal("4343", (await app.Db.HashGetAsync(Keys.Contacts("telegram"), "s2")).ToString());
    }

    [Fact]
    public async Task MessageNew_InAGroupChat_DoesNotLink()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        var code = await IssueAsync(app, "s1");

        await VkCallbackTests.PostOkAsync(vk, Message(7001, code, peerId: 2_000_000_001));

        Assert.Null(await VkOfAsync(app, "s1"));
        Assert.True(await app.Db.KeyExistsAsync(LinkCodeStore.KeyOf(code)));
    }

    [Theory]
    [InlineData("7kq2mx4abc", "7KQ2MX4ABC")]
    [InlineData("Код: 7KQ2MX4ABC!", "7KQ2MX4ABC")]
    [InlineData("  \t7kq2mx4abc\n", "7KQ2MX4ABC")]
    [InlineData("КМХ234АВСЕ", "KMX234ABCE")]
    [InlineData("7KQ2MX4ABCD 7KQ2MX4AB 0OI1AB2345 hello", "")]
    [InlineData("AAAAAAAAAA BBBBBBBBBB CCCCCCCCCC DDDDDDDDDD", "AAAAAAAAAA,BBBBBBBBBB,CCCCCCCCCC")]
    public void Find_PicksCodeShapedWords(string text, string expected)
    {
        Assert.Equal(expected.Length == 0 ? [] : expected.Split(','), LinkCodes.Find(text));
    }
}
