using Ada.Core.Directory;

namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class VkCallbackTests(RedisServer redis) : ApiTest(redis)
{
    public const string Secret = "vk-secret-0123";
    public const string Confirmation = "a1b2c3d4";
    public const long GroupId = 229876543;

    public static readonly Dictionary<string, string?> VkSettings = new()
    {
        ["Vk:Secret"] = Secret,
        ["Vk:Confirmation"] = Confirmation,
        ["Vk:GroupId"] = GroupId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private int _eventIds;

    /// <summary>A Callback API request as VK sends it, with a fresh event id unless one is given.</summary>
    public static string Event(string type, string obj, string eventId, string? secret = Secret, long groupId = GroupId) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["type"] = type,
            ["group_id"] = groupId,
            ["event_id"] = eventId,
            ["v"] = "5.199",
            ["object"] = JsonDocument.Parse(obj).RootElement,
            ["secret"] = secret,
        });

    public static async Task<string> PostOkAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("/v1/vk/callback", AdaApplication.Json(json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return body;
    }

    private string NextEventId() => $"e{Interlocked.Increment(ref _eventIds):x8}";

    private string Allow(long vkId, string? eventId = null) =>
        Event("message_allow", $$"""{"user_id":{{vkId}},"key":"k"}""", eventId ?? NextEventId());

    private string Deny(long vkId, string? eventId = null) => Event("message_deny", $$"""{"user_id":{{vkId}}}""", eventId ?? NextEventId());

    private async Task<(AdaApplication App, HttpClient Vk)> VkAppAsync()
    {
        var app = await NewAppAsync(VkSettings);
        return (app, app.Client(null));
    }

    private static async Task<JsonElement> UserAsync(AdaApplication app, string id)
    {
        using var admin = app.Client();
        using var response = await admin.GetAsync($"/v1/users/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    private static async Task AssertVkActiveAsync(AdaApplication app, string userId, string vkId)
    {
        Assert.Equal(vkId, (await app.Db.HashGetAsync(Keys.Contacts("vk"), userId)).ToString());
        var user = await UserAsync(app, userId);
        Assert.Equal(JsonValueKind.Array, user.GetProperty("inactive").ValueKind);
        Assert.DoesNotContain("vk", user.GetProperty("inactive").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(vkId, user.GetProperty("contacts").GetProperty("vk").GetString());
    }

    private static async Task AssertVkInactiveAsync(AdaApplication app, string userId, string vkId)
    {
        Assert.False(await app.Db.HashExistsAsync(Keys.Contacts("vk"), userId));
        var user = await UserAsync(app, userId);
        Assert.Contains("vk", user.GetProperty("inactive").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(vkId, user.GetProperty("contacts").GetProperty("vk").GetString());
    }

    [Fact]
    public async Task Confirmation_AnswersExactlyTheConfiguredString()
    {
        var (_, vk) = await VkAppAsync();
        Assert.Equal(Confirmation, await PostOkAsync(vk, $$"""{"type":"confirmation","group_id":{{GroupId}},"secret":"{{Secret}}"}"""));
        Assert.Equal(Confirmation, await PostOkAsync(vk, $$"""{"type":"confirmation","group_id":{{GroupId}}}"""));
    }

    [Fact]
    public async Task Callback_NotConfigured_Returns403SayingWhatToSet()
    {
        using var vk = App.Client(null);
        using var response = await vk.PostAsync("/v1/vk/callback", Json($$"""{"type":"confirmation","group_id":{{GroupId}}}"""));
        Assert.Equal("VK callback is not configured (set Vk__Secret and Vk__Confirmation).",
            Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("")]
    [InlineData(null)]
    public async Task Callback_SecretMismatch_Returns403AndChangesNothing(string? secret)
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":"5001"}}""");
        await PostOkAsync(vk, Deny(5001));

        using var response = await vk.PostAsync("/v1/vk/callback", Json(Event("message_allow", """{"user_id":5001}""", "replayed", secret)));
        Assert.DoesNotContain(Secret, Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        await AssertVkInactiveAsync(app, "s1", "5001");

        using var confirmation = await vk.PostAsync("/v1/vk/callback",
            Json(Event("confirmation", "{}", "c1", secret ?? "wrong")));
        await ProblemAsync(confirmation, HttpStatusCode.Forbidden);

        // The refused event id was not recorded: VK's genuine event with that id still acts.
        await PostOkAsync(vk, Event("message_allow", """{"user_id":5001}""", "replayed"));
        await AssertVkActiveAsync(app, "s1", "5001");
    }

    [Fact]
    public async Task Callback_WrongSecret_LogsNothingTheRequestChose()
    {
        var (app, vk) = await VkAppAsync();
        var marker = "attacker-" + new string('x', 10_000);
        for (var i = 0; i < 5; i++)
        {
            using var response = await vk.PostAsync("/v1/vk/callback", Json(Event(marker, "{}", NextEventId(), "wrong")));
            await ProblemAsync(response, HttpStatusCode.Forbidden);
        }
        using (var response = await vk.PostAsync("/v1/vk/callback", Json(Event(marker, "{}", NextEventId(), groupId: GroupId + 7))))
        {
            await ProblemAsync(response, HttpStatusCode.Forbidden);
        }

        var lines = app.Logs.Where(l => l.Contains("VkCallbackApi", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("attacker-", StringComparison.Ordinal));
        Assert.True(lines.Count <= 1, string.Join("\n", lines));
    }

    [Fact]
    public async Task CallbackWithoutGroupId_RefusesToStartNamingIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => NewAppAsync(new Dictionary<string, string?>
        {
            ["Vk:Secret"] = Secret,
            ["Vk:Confirmation"] = Confirmation,
        }));
        Assert.Contains("Vk__GroupId is required", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_OtherGroup_Returns403AndChangesNothing()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":"5001"}}""");

        using var response = await vk.PostAsync("/v1/vk/callback",
            Json(Event("message_deny", """{"user_id":5001}""", NextEventId(), groupId: GroupId + 1)));
        Assert.Contains(GroupId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        await AssertVkActiveAsync(app, "s1", "5001");

        using var confirmation = await vk.PostAsync("/v1/vk/callback", Json($$"""{"type":"confirmation","group_id":{{GroupId + 1}}}"""));
        await ProblemAsync(confirmation, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task DenyThenAllow_FlipsTheVkContactAndInactive()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":"5001","telegram":"77"}}""");
        await AssertVkActiveAsync(app, "s1", "5001");

        Assert.Equal("ok", await PostOkAsync(vk, Deny(5001)));
        await AssertVkInactiveAsync(app, "s1", "5001");
        Assert.Equal("77", (await app.Db.HashGetAsync(Keys.Contacts("telegram"), "s1")).ToString());

        Assert.Equal("ok", await PostOkAsync(vk, Allow(5001)));
        await AssertVkActiveAsync(app, "s1", "5001");
        Assert.Empty((await UserAsync(app, "s1")).GetProperty("inactive").EnumerateArray());

        // Allowing twice, or denying twice, is harmless.
        await PostOkAsync(vk, Allow(5001));
        await AssertVkActiveAsync(app, "s1", "5001");
        await PostOkAsync(vk, Deny(5001));
        await PostOkAsync(vk, Deny(5001));
        await AssertVkInactiveAsync(app, "s1", "5001");
    }

    [Fact]
    public async Task Allow_KeepsOtherInactiveChannels()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":"5001","telegram":"77"}}""");
        await app.Services.GetRequiredService<DirectoryStore>().DeactivateContactAsync("telegram", "s1", "77");
        await PostOkAsync(vk, Deny(5001));

        await PostOkAsync(vk, Allow(5001));

        await AssertVkActiveAsync(app, "s1", "5001");
        Assert.Equal(["telegram"], (await UserAsync(app, "s1")).GetProperty("inactive").EnumerateArray().Select(c => c.GetString()));
        Assert.False(await app.Db.HashExistsAsync(Keys.Contacts("telegram"), "s1"));
    }

    [Fact]
    public async Task RepeatedEventId_IsAnsweredOkAndIgnored()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":"5001"}}""");
        await PostOkAsync(vk, Allow(5001, "allow-1"));
        await PostOkAsync(vk, Deny(5001, "deny-1"));

        // VK resends the earlier allow: it must not undo the later deny.
        Assert.Equal("ok", await PostOkAsync(vk, Allow(5001, "allow-1")));

        await AssertVkInactiveAsync(app, "s1", "5001");
        var ttl = await app.Db.KeyTimeToLiveAsync("vk:event:allow-1");
        Assert.True(ttl > TimeSpan.FromHours(23) && ttl <= TimeSpan.FromDays(1), $"TTL {ttl}");
    }

    [Fact]
    public async Task Allow_UnknownVkId_IsRememberedAndAnsweredOk()
    {
        var (app, vk) = await VkAppAsync();

        Assert.Equal("ok", await PostOkAsync(vk, Allow(6001)));
        Assert.True(await app.Db.SetContainsAsync(Keys.VkAllowed, "6001"));
        Assert.False(await app.Db.KeyExistsAsync(Keys.Contacts("vk")));

        await PostOkAsync(vk, Deny(6001));
        Assert.False(await app.Db.SetContainsAsync(Keys.VkAllowed, "6001"));
    }

    [Fact]
    public async Task PutUser_ChangedVkId_KeepsTheReverseIndexRight()
    {
        var (app, vk) = await VkAppAsync();
        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":"1001"}}""");
        Assert.Equal("s1", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "1001")).ToString());

        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student","contacts":{"vk":2002}}""");
        Assert.False(await app.Db.HashExistsAsync(Keys.AddressOwners("vk"), "1001"));
        Assert.Equal("s1", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "2002")).ToString());

        // The old VK id is no one's now: its events touch nobody.
        await PostOkAsync(vk, Deny(1001));
        await AssertVkActiveAsync(app, "s1", "2002");

        // One import moves 2002 from s1 to s2 and gives s1 3003: the index follows both.
        using (var admin = app.Client())
        using (var import = await admin.PostAsync("/v1/import", Json("""
            {"users":[{"id":"s2","name":"S2","role":"student","contacts":{"vk":"2002"}},
                      {"id":"s1","name":"S1","role":"student","contacts":{"vk":"3003"}}]}
            """)))
        {
            Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        }
        Assert.Equal("s2", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "2002")).ToString());
        Assert.Equal("s1", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "3003")).ToString());

        await app.PutAsync("/v1/users/s1", """{"name":"S1","role":"student"}""");
        Assert.False(await app.Db.HashExistsAsync(Keys.AddressOwners("vk"), "3003"));
        Assert.Equal("s2", (await app.Db.HashGetAsync(Keys.AddressOwners("vk"), "2002")).ToString());
    }

    [Fact]
    public async Task Callback_MalformedJson_Returns400Problem()
    {
        var (app, vk) = await VkAppAsync();
        foreach (var body in new[] { "{\"type\":\"message_new\",", "", "null", "[1]", "{\"type\":\"message_deny\",\"group_id\":\"x\"}" })
        {
            using var response = await vk.PostAsync("/v1/vk/callback", Json(body));
            await ProblemAsync(response, HttpStatusCode.BadRequest);
        }
        Assert.Empty(await app.KeysAsync());
    }

    [Fact]
    public async Task Callback_KnownEventWithoutItsFields_Returns400AndRecordsNothing()
    {
        var (app, vk) = await VkAppAsync();
        using var allow = await vk.PostAsync("/v1/vk/callback", Json(Event("message_allow", """{"user_id":"x"}""", "bad-1")));
        Assert.Contains("user_id", Detail(await ProblemAsync(allow, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        using var message = await vk.PostAsync("/v1/vk/callback", Json(Event("message_new", """{"message":{"text":"hi"}}""", "bad-2")));
        Assert.Contains("from_id", Detail(await ProblemAsync(message, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        Assert.Empty(await app.KeysAsync());
    }

    [Fact]
    public async Task Callback_UnknownEventType_IsAnsweredOk()
    {
        var (app, vk) = await VkAppAsync();
        Assert.Equal("ok", await PostOkAsync(vk, Event("wall_post_new", """{"id":1,"text":"hello"}""", NextEventId())));
        Assert.Equal("ok", await PostOkAsync(vk, Event("message_typing_state", """{"state":"typing","from_id":1}""", NextEventId())));
        Assert.Empty(await app.KeysAsync());
    }

    [Fact]
    public async Task OpenApi_DescribesTheVkEndpoints()
    {
        var (app, _) = await VkAppAsync();
        using var client = app.Client(null);
        using var response = await client.GetAsync("/openapi/v1.json");
        var paths = (await ReadJsonAsync(response)).GetProperty("paths");
        var callback = paths.GetProperty("/v1/vk/callback").GetProperty("post");
        Assert.Equal("VK", callback.GetProperty("tags")[0].GetString());
        Assert.Empty(callback.GetProperty("security").EnumerateArray());
        Assert.Equal("VK", paths.GetProperty("/v1/users/{userId}/link-codes").GetProperty("post").GetProperty("tags")[0].GetString());
    }
}
