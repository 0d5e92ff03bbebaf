namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class QueueTests(RedisServer redis) : ApiTest(redis)
{
    private static DateTimeOffset Time(JsonElement e, string name) =>
        DateTimeOffset.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Queue_TeacherToOwnGroupAndAnyUser_Returns202AndWritesTheMessage()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var response = await client.PostAsync("/v1/queue",
            Json("""{"text":"Lecture moved to 301","to":{"users":["u3","u1"],"groups":["g1"],"supergroups":["sg1"]},"origin":"web"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await ReadJsonAsync(response);
        var id = answer.GetProperty("id").GetString()!;
        Assert.StartsWith("t1:", id, StringComparison.Ordinal);
        Assert.Equal(3, answer.GetProperty("recipients").GetInt32());
        Assert.Equal(["telegram"], answer.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("rescheduled").ValueKind);
        Assert.True((Time(answer, "deliverAt") - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromSeconds(10));
        Assert.Equal($"/v1/history/{id}", response.Headers.Location?.OriginalString);

        var history = JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement;
        Assert.Equal("scheduled", history.GetProperty("state").GetString());
        Assert.Equal("web", history.GetProperty("origin").GetString());
        Assert.Equal("t1", history.GetProperty("sender").GetString());
        Assert.Equal(3, history.GetProperty("recipients").GetInt32());
        Assert.Equal("pending", history.GetProperty("channels").GetProperty("telegram").GetProperty("state").GetString());
        Assert.Equal(["u3", "u1", "u2"], (await App.Db.ListRangeAsync(Keys.Recipients(id))).Select(v => v.ToString()));
        Assert.NotNull(await App.Db.SortedSetScoreAsync(Keys.DueFor(id), id));
    }

    [Fact]
    public async Task Queue_EmptyAddresseeArrays_StayArraysAfterAScriptRewritesTheHistory()
    {
        await App.SeedAsync();
        var id = await QueueAsync(Admin, """{"text":"hi","to":{"users":["u1"]}}""");
        var claimed = await Courier.ClaimAsync(App, id);
        Assert.Equal("ok", claimed);
        var history = JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement;
        Assert.Equal("delivering", history.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Array, history.GetProperty("to").GetProperty("groups").ValueKind);
        Assert.Equal(JsonValueKind.Array, history.GetProperty("to").GetProperty("supergroups").ValueKind);
        Assert.Equal(JsonValueKind.Object, history.GetProperty("channels").GetProperty("telegram").GetProperty("errors").ValueKind);

        using var read = await Admin.GetAsync($"/v1/history/{id}");
        var served = await ReadJsonAsync(read);
        Assert.Equal(0, served.GetProperty("to").GetProperty("groups").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"to":{"users":["u1"]}}""", "'text'")]
    [InlineData("""{"text":"   \n ","to":{"users":["u1"]}}""", "'text'")]
    [InlineData("""{"text":"hi"}""", "'to'")]
    [InlineData("""{"text":"hi","to":{}}""", "at least one")]
    [InlineData("""{"text":"hi","to":{"users":[],"groups":[],"supergroups":[]}}""", "at least one")]
    [InlineData("""{"text":"hi","to":{"users":["a b"]}}""", "'to.users[0]'")]
    [InlineData("""{"text":"hi","to":{"groups":["g1:x"]}}""", "'to.groups[0]'")]
    [InlineData("""{"text":"hi","to":{"users":["u1"]},"id":"nonsense"}""", "'id'")]
    [InlineData("""{"text":"hi","to":{"users":["u1"]},"origin":"pigeon"}""", "'origin'")]
    [InlineData("""{"text":"hi","to":{"users":["u1"]},"sendAt":"2030-01-01T10:00:00"}""", "'sendAt'")]
    [InlineData("""{"text":"hi","to":{"users":["u1"]},"sendAt":"tomorrow"}""", "'sendAt'")]
    [InlineData("""{"text":"hi","to":{"users":["u1"]},"sendAt":"9999-12-31T23:59:59-01:00"}""", "'sendAt'")]
    public async Task Queue_InvalidRequest_Returns400AndWritesNothing(string body, string field)
    {
        await App.SeedAsync();
        using var response = await Admin.PostAsync("/v1/queue", Json(body));
        Assert.Contains(field, Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_TextTooLong_Returns400()
    {
        await App.SeedAsync();
        var body = JsonSerializer.Serialize(new { text = new string('a', 10_001), to = new { users = new[] { "u1" } } });
        using var response = await Admin.PostAsync("/v1/queue", Json(body));
        Assert.Contains("10000", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_SendAtMoreThan30DaysAhead_Returns400()
    {
        await App.SeedAsync();
        var at = DateTimeOffset.UtcNow.AddDays(31).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
        using var response = await Admin.PostAsync("/v1/queue", Json($$"""{"text":"hi","to":{"users":["u1"]},"sendAt":"{{at}}"}"""));
        Assert.Contains("30 days", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_UnknownAddressees_Returns400ListingThemAndWritesNothing()
    {
        await App.SeedAsync();
        using var response = await Admin.PostAsync("/v1/queue",
            Json("""{"text":"hi","to":{"users":["u1","ghost"],"groups":["nogroup"],"supergroups":["nostream"]}}"""));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        foreach (var id in new[] { "ghost", "nogroup", "nostream" })
        {
            Assert.Contains(id, Detail(problem), StringComparison.Ordinal);
        }
        var unknown = problem.GetProperty("unknown");
        Assert.Equal("ghost", unknown.GetProperty("users")[0].GetString());
        Assert.Equal("nogroup", unknown.GetProperty("groups")[0].GetString());
        Assert.Equal("nostream", unknown.GetProperty("supergroups")[0].GetString());
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_TeacherUrgent_Returns403()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]},"urgent":true}"""));
        Assert.Contains("urgent", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_TeacherAddressingGroupNotOwned_Returns403NamingIt()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"groups":["g1","g2"]}}"""));
        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
        var detail = Detail(problem);
        Assert.Contains("g2", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("g1", detail, StringComparison.Ordinal);
        Assert.Equal("not_owner", problem.GetProperty("reason").GetString());
        Assert.Equal("Писать можно только своим группам и потокам. Нет в справочнике или не ваши: группы g2.", problem.GetProperty("message").GetString());
        await AssertNothingQueuedAsync(App);
    }

    [Theory]
    [InlineData("en", "You may write only to your own groups and streams. Not in the directory or not yours: groups g2.")]
    [InlineData("en-GB,en;q=0.9,ru;q=0.8", "You may write only to your own groups and streams. Not in the directory or not yours: groups g2.")]
    [InlineData("ru-RU,ru;q=0.9,en;q=0.8", "Писать можно только своим группам и потокам. Нет в справочнике или не ваши: группы g2.")]
    [InlineData("de", "Писать можно только своим группам и потокам. Нет в справочнике или не ваши: группы g2.")]
    public async Task Queue_Refused_MessageIsInTheLanguageTheRequestPrefers(string acceptLanguage, string message)
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        client.DefaultRequestHeaders.Add("Accept-Language", acceptLanguage);
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"groups":["g1","g2"]}}"""));
        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(message, problem.GetProperty("message").GetString());
        Assert.StartsWith("Teachers may address only", Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_Invalid_KeepsTheFieldErrorsAndNamesTheFieldsForPeople()
    {
        await App.SeedAsync();
        using var response = await Admin.PostAsync("/v1/queue", Json("""{"text":" ","to":{"users":["u1"]},"sendAt":"tomorrow"}"""));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("text", out _));
        Assert.Equal("invalid", problem.GetProperty("reason").GetString());
        Assert.Equal("Сообщение не принято: проверьте текст и время отправки.", problem.GetProperty("message").GetString());
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_StaffAddressingAnyGroup_Returns202()
    {
        var (_, staff, _) = await App.SeedAsync();
        using var client = App.Client(staff);
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"groups":["g1"],"supergroups":["sg1"]}}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, (await ReadJsonAsync(response)).GetProperty("recipients").GetInt32());
    }

    [Fact]
    public async Task Queue_IdOfAnotherSender_Returns403()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var response = await client.PostAsync("/v1/queue", Json("""{"id":"st1:1732365600123456789","text":"hi","to":{"users":["u1"]}}"""));
        Assert.Contains("st1", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_SameIdSameContent_ReturnsTheIdenticalAnswer()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var key = await client.PostAsync("/v1/history-key", null);
        var reserved = await ReadJsonAsync(key);
        var id = reserved.GetProperty("id").GetString()!;
        Assert.Equal($"history:{{{id}}}", reserved.GetProperty("historyKey").GetString());
        Assert.False(await App.Db.KeyExistsAsync(Keys.History(id)));

        var body = $$"""{"id":"{{id}}","text":"hi","to":{"users":["u2","u1","u1"]},"sendAt":"2000-01-01T00:00:00Z"}""";
        using var first = await client.PostAsync("/v1/queue", Json(body));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        // The same request, lists reordered: still the same content.
        using var retry = await client.PostAsync("/v1/queue",
            Json($$"""{"id":"{{id}}","text":"hi","to":{"users":["u1","u2"]},"sendAt":"2000-01-01T03:00:00+03:00"}"""));
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(1, await App.Db.SortedSetLengthAsync(Keys.SenderHistory("t1")));
        Assert.Equal(1, await App.Db.SortedSetLengthAsync(Keys.Quota("t1")));
    }

    [Fact]
    public async Task Queue_SameIdOtherContent_Returns409()
    {
        await App.SeedAsync();
        using var first = await Admin.PostAsync("/v1/queue", Json("""{"id":"admin:42","text":"hi","to":{"users":["u1"]}}"""));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await Admin.PostAsync("/v1/queue", Json("""{"id":"admin:42","text":"bye","to":{"users":["u1"]}}"""));
        await ProblemAsync(second, HttpStatusCode.Conflict);
        var history = JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History("admin:42"))).ToString()).RootElement;
        Assert.Equal("hi", history.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Queue_OverHourlyQuota_Returns429WithRetryAfterAndWritesNothing()
    {
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Limits:Teacher:MessagesPerHour"] = "2" });
        var (teacher, _, _) = await app.SeedAsync();
        using var client = app.Client(teacher);
        for (var i = 0; i < 2; i++)
        {
            using var ok = await client.PostAsync("/v1/queue", Json($$"""{"text":"hi {{i}}","to":{"users":["u1"]} }"""));
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }
        using var refused = await client.PostAsync("/v1/queue", Json("""{"id":"t1:7","text":"one more","to":{"users":["u1"]}}"""));
        var problem = await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("2 messages per hour", Detail(problem), StringComparison.Ordinal);
        Assert.Equal("over_quota", problem.GetProperty("reason").GetString());
        Assert.Matches(@"^Лимит: 2 сообщения в час\. Следующее можно отправить в (\d\d\.\d\d )?\d\d:\d\d\.$", problem.GetProperty("message").GetString());
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 3590, 3600);
        Assert.False(await app.Db.KeyExistsAsync(Keys.History("t1:7")));
        Assert.Equal(2, await app.Db.SortedSetLengthAsync(Keys.Quota("t1")));
        Assert.Equal(2, await app.Db.SortedSetLengthAsync(Keys.SenderHistory("t1")));

        // Admins are unlimited by default.
        using var admin = app.Client();
        using var byAdmin = await admin.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]}}"""));
        Assert.Equal(HttpStatusCode.Accepted, byAdmin.StatusCode);
    }

    [Fact]
    public async Task Queue_MoreRecipientsThanTheRoleAllows_Returns429()
    {
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Limits:Teacher:RecipientsPerMessage"] = "1" });
        var (teacher, _, _) = await app.SeedAsync();
        using var client = app.Client(teacher);
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"groups":["g1"]}}"""));
        var detail = Detail(await ProblemAsync(response, HttpStatusCode.TooManyRequests));
        Assert.Contains("2 recipients", detail, StringComparison.Ordinal);
        Assert.Contains("limit is 1", detail, StringComparison.Ordinal);
        await AssertNothingQueuedAsync(app);
    }

    [Fact]
    public async Task Queue_NoCourierAlive_Returns409AndWritesNothing()
    {
        var app = await NewAppAsync(telegramAlive: false);
        await app.SeedAsync();
        using var client = app.Client();
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]}}"""));
        Assert.Contains("no courier is running", Detail(await ProblemAsync(response, HttpStatusCode.Conflict)), StringComparison.OrdinalIgnoreCase);
        await AssertNothingQueuedAsync(app);
    }

    [Fact]
    public async Task Queue_SendAtInThePast_DeliversNow()
    {
        await App.SeedAsync();
        using var response = await Admin.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]},"sendAt":"2001-02-03T04:05:06+03:00"}"""));
        var answer = await ReadJsonAsync(response);
        Assert.True((Time(answer, "deliverAt") - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromSeconds(10));
        var id = answer.GetProperty("id").GetString()!;
        var history = JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement;
        Assert.Equal("2001-02-03T01:05:06.000Z", history.GetProperty("requestedAt").GetString());
        Assert.False(await App.Db.KeyExistsAsync(Keys.Delivery(id)));
    }

    [Fact]
    public async Task Queue_LaterSendAt_SetsTheDeliveryTtl()
    {
        await App.SeedAsync();
        var at = DateTimeOffset.UtcNow.AddHours(2);
        using var response = await Admin.PostAsync("/v1/queue",
            Json($$"""{"text":"hi","to":{"users":["u1"]},"sendAt":"{{at.ToString("O", CultureInfo.InvariantCulture)}}"}"""));
        var answer = await ReadJsonAsync(response);
        Assert.Equal(at.ToUnixTimeMilliseconds(), Time(answer, "deliverAt").ToUnixTimeMilliseconds());
        var ttl = await App.Db.KeyTimeToLiveAsync(Keys.Delivery(answer.GetProperty("id").GetString()!));
        Assert.InRange(ttl!.Value.TotalMinutes, 118, 120);
    }

    [Fact]
    public async Task Queue_InsideQuietHours_MovesToMorning()
    {
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = "22:00-08:00" });
        var (teacher, _, _) = await app.SeedAsync();
        using var client = app.Client(teacher);
        var moscow = TimeSpan.FromHours(3);
        var tomorrow = DateTimeOffset.UtcNow.ToOffset(moscow).Date.AddDays(1);
        var late = new DateTimeOffset(tomorrow.AddHours(23).AddMinutes(30), moscow);
        using var response = await client.PostAsync("/v1/queue",
            Json($$"""{"text":"hi","to":{"users":["u1"]},"sendAt":"{{late.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}}"}"""));
        var answer = await ReadJsonAsync(response);
        var morning = new DateTimeOffset(tomorrow.AddDays(1).AddHours(8), moscow);
        Assert.Equal(morning, Time(answer, "deliverAt"));
        var rescheduled = answer.GetProperty("rescheduled");
        Assert.Equal("quiet-hours", rescheduled.GetProperty("reason").GetString());
        Assert.Equal(late, DateTimeOffset.Parse(rescheduled.GetProperty("from").GetString()!, CultureInfo.InvariantCulture));

        var history = JsonDocument.Parse((await app.Db.StringGetAsync(Keys.History(answer.GetProperty("id").GetString()!))).ToString()).RootElement;
        Assert.Equal("quiet-hours", history.GetProperty("rescheduled").GetProperty("reason").GetString());
        Assert.Equal(morning.ToUnixTimeMilliseconds(), history.GetProperty("deliverAtMs").GetInt64());
    }

    [Fact]
    public async Task Queue_UrgentByStaffInsideQuietHours_IsNotMoved()
    {
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = "22:00-08:00" });
        var (_, staff, _) = await app.SeedAsync();
        using var client = app.Client(staff);
        var moscow = TimeSpan.FromHours(3);
        var late = new DateTimeOffset(DateTimeOffset.UtcNow.ToOffset(moscow).Date.AddDays(1).AddHours(23), moscow);
        var sendAt = late.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        using var response = await client.PostAsync("/v1/queue", Json($$"""{"text":"hi","to":{"users":["u1"]},"sendAt":"{{sendAt}}","urgent":true}"""));
        var answer = await ReadJsonAsync(response);
        Assert.Equal(late, Time(answer, "deliverAt"));
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("rescheduled").ValueKind);
    }

    [Fact]
    public async Task Queue_NowInsideQuietHours_MovesToTheWindowEnd()
    {
        // A window around the current Moscow time, so "now" is inside it.
        var moscowNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(3));
        var start = moscowNow.AddHours(-1).ToString("HH:mm", CultureInfo.InvariantCulture);
        var endAt = moscowNow.AddHours(2);
        var window = $"{start}-{endAt.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = window });
        await app.SeedAsync();
        using var client = app.Client();
        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]}}"""));
        var answer = await ReadJsonAsync(response);
        var expected = new DateTimeOffset(endAt.Year, endAt.Month, endAt.Day, endAt.Hour, endAt.Minute, 0, endAt.Offset);
        Assert.Equal(expected, Time(answer, "deliverAt"));
        Assert.Equal("quiet-hours", answer.GetProperty("rescheduled").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Queue_RecipientWhoseNightItIs_GoesInALaterWaveOfTheSameMessage()
    {
        // A window around Vladivostok's current time (UTC+10), far from Moscow's (UTC+3): the Vladivostok
        // student's night, the Moscow students' day.
        var vladivostokNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(10));
        var endAt = vladivostokNow.AddHours(2);
        var window = $"{vladivostokNow.AddHours(-1).ToString("HH:mm", CultureInfo.InvariantCulture)}-{endAt.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = window });
        var (teacher, _, _) = await app.SeedAsync();
        using var admin = app.Client();
        using var bad = await admin.PutAsync("/v1/users/u2", Json("""{"name":"u2","role":"student","timeZone":"Mars/Olympus"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("timeZone", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var put = await admin.PutAsync("/v1/users/u1", Json("""{"name":"u1","role":"student","contacts":{"telegram":"21"},"timeZone":"Asia/Vladivostok"}"""));
        Assert.True(put.IsSuccessStatusCode);
        using var group = await admin.PutAsync("/v1/groups/g1", Json("""{"name":"Group 1","members":["u1","u2","u3"],"owners":["t1"]}"""));
        Assert.True(group.IsSuccessStatusCode);
        using var client = app.Client(teacher);

        using var response = await client.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"groups":["g1"]}}"""));

        var answer = await ReadJsonAsync(response);
        Assert.Equal(3, answer.GetProperty("recipients").GetInt32());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("rescheduled").ValueKind);
        var id = answer.GetProperty("id").GetString()!;
        var history = JsonDocument.Parse((await app.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement;
        var waves = history.GetProperty("waves").EnumerateArray().ToList();
        Assert.Equal(2, waves.Count);
        Assert.Equal(2, waves[0].GetProperty("recipients").GetInt32());
        Assert.Equal(1, waves[1].GetProperty("recipients").GetInt32());
        Assert.Equal("Asia/Vladivostok", waves[1].GetProperty("zones")[0].GetProperty("zone").GetString());
        var morning = new DateTimeOffset(endAt.Year, endAt.Month, endAt.Day, endAt.Hour, endAt.Minute, 0, endAt.Offset);
        Assert.Equal(morning.ToUnixTimeMilliseconds(), waves[1].GetProperty("atMs").GetInt64());
        Assert.Equal("quiet-hours", waves[1].GetProperty("rescheduled").GetProperty("reason").GetString());
        Assert.Equal(["u2", "u3", "u1"], (await app.Db.ListRangeAsync(Keys.Recipients(id))).Select(v => v.ToString()));
    }
}
