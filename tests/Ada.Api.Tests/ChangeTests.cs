namespace Ada.Api.Tests;

/// <summary>Reschedule, send now and cancel: allowed while the message is scheduled (cancel also while delivering).</summary>
[Collection(RedisCollection.Name)]
public sealed class ChangeTests(RedisServer redis) : ApiTest(redis)
{
    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static Task<string> QueueLaterAsync(HttpClient client, TimeSpan after) =>
        QueueAsync(client, $$"""{"text":"later","to":{"users":["u1"]},"sendAt":"{{Iso(DateTimeOffset.UtcNow + after)}}"}""");

    [Fact]
    public async Task Reschedule_Scheduled_MovesTheDeliveryTime()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        var id = await QueueLaterAsync(client, TimeSpan.FromHours(1));
        var at = DateTimeOffset.UtcNow.AddHours(5);
        using var response = await client.PostAsync($"/v1/queue/{id}/reschedule", Json($$"""{"sendAt":"{{Iso(at)}}"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = await ReadJsonAsync(response);
        Assert.Equal(at.ToUnixTimeMilliseconds(), history.GetProperty("deliverAtMs").GetInt64());
        Assert.Equal(at.ToUnixTimeMilliseconds(), (long)(await App.Db.SortedSetScoreAsync(Keys.DueFor(id), id))!.Value);
        var ttl = await App.Db.KeyTimeToLiveAsync(Keys.Delivery(id));
        Assert.InRange(ttl!.Value.TotalHours, 4.9, 5.0);
    }

    [Fact]
    public async Task Reschedule_IntoQuietHours_IsMovedToMorning()
    {
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = "22:00-08:00" });
        var (teacher, _, _) = await app.SeedAsync();
        using var client = app.Client(teacher);
        var moscow = TimeSpan.FromHours(3);
        var day = DateTimeOffset.UtcNow.ToOffset(moscow).Date.AddDays(2);
        var id = await QueueLaterAsync(client, new DateTimeOffset(day.AddHours(12), moscow) - DateTimeOffset.UtcNow);
        var night = new DateTimeOffset(day.AddHours(3), moscow);
        using var response = await client.PostAsync($"/v1/queue/{id}/reschedule", Json($$"""{"sendAt":"{{Iso(night)}}"}"""));
        var history = await ReadJsonAsync(response);
        Assert.Equal(new DateTimeOffset(day.AddHours(8), moscow).ToUnixTimeMilliseconds(), history.GetProperty("deliverAtMs").GetInt64());
        Assert.Equal("quiet-hours", history.GetProperty("rescheduled").GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("{}", "'sendAt'")]
    [InlineData("""{"sendAt":"soon"}""", "'sendAt'")]
    [InlineData("""{"sendAt":5}""", "'sendAt' must be a string")]
    public async Task Reschedule_InvalidSendAt_Returns400AndChangesNothing(string body, string expected)
    {
        await App.SeedAsync();
        var id = await QueueLaterAsync(Admin, TimeSpan.FromHours(1));
        var before = (await App.Db.StringGetAsync(Keys.History(id))).ToString();
        using var response = await Admin.PostAsync($"/v1/queue/{id}/reschedule", Json(body));
        Assert.Contains(expected, Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        Assert.Equal(before, (await App.Db.StringGetAsync(Keys.History(id))).ToString());
    }

    [Fact]
    public async Task Reschedule_AfterDeliveryStarted_Returns409()
    {
        await App.SeedAsync();
        var id = await QueueAsync(Admin, """{"text":"now","to":{"users":["u1"]}}""");
        Assert.Equal("ok", await Courier.ClaimAsync(App, id));
        using var response = await Admin.PostAsync($"/v1/queue/{id}/reschedule", Json($$"""{"sendAt":"{{Iso(DateTimeOffset.UtcNow.AddHours(1))}}"}"""));
        Assert.Contains("delivering", Detail(await ProblemAsync(response, HttpStatusCode.Conflict)), StringComparison.Ordinal);
        using var sendNow = await Admin.PostAsync($"/v1/queue/{id}/send-now", null);
        await ProblemAsync(sendNow, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task SendNow_Scheduled_DeliversAtOnce()
    {
        await App.SeedAsync();
        var id = await QueueLaterAsync(Admin, TimeSpan.FromDays(2));
        using var response = await Admin.PostAsync($"/v1/queue/{id}/send-now", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = await ReadJsonAsync(response);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - history.GetProperty("deliverAtMs").GetInt64(), -2000, 10_000);
        Assert.False(await App.Db.KeyExistsAsync(Keys.Delivery(id)));
        Assert.Equal("ok", await Courier.ClaimAsync(App, id));
    }

    [Fact]
    public async Task SendNow_InsideQuietHours_TeacherWaitsForTheWindowEnd_StaffSendsAtOnce()
    {
        // A window around the current Moscow time, so "now" is inside it.
        var moscowNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(3));
        var endAt = moscowNow.AddHours(2);
        var window = $"{moscowNow.AddHours(-1).ToString("HH:mm", CultureInfo.InvariantCulture)}-{endAt.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = window });
        var (teacher, staff, _) = await app.SeedAsync();
        using var asTeacher = app.Client(teacher);
        using var asStaff = app.Client(staff);
        var windowEnd = new DateTimeOffset(endAt.Year, endAt.Month, endAt.Day, endAt.Hour, endAt.Minute, 0, endAt.Offset);
        var later = windowEnd.AddDays(1) - DateTimeOffset.UtcNow;
        var mine = await QueueLaterAsync(asTeacher, later);
        var other = await QueueLaterAsync(asTeacher, later);

        using (var response = await asTeacher.PostAsync($"/v1/queue/{mine}/send-now", null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var history = await ReadJsonAsync(response);
            Assert.Equal(windowEnd.ToUnixTimeMilliseconds(), history.GetProperty("deliverAtMs").GetInt64());
            Assert.Equal("quiet-hours", history.GetProperty("rescheduled").GetProperty("reason").GetString());
            Assert.Equal("scheduled", history.GetProperty("state").GetString());
        }
        Assert.True(await app.Db.KeyExistsAsync(Keys.Delivery(mine)));
        Assert.Equal(windowEnd.ToUnixTimeMilliseconds(), (long)(await app.Db.SortedSetScoreAsync(Keys.DueFor(mine), mine))!.Value);

        // Staff may send a teacher's message now, quiet hours or not; the same for a reschedule to now.
        using (var response = await asStaff.PostAsync($"/v1/queue/{other}/send-now", null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.False(await app.Db.KeyExistsAsync(Keys.Delivery(other)));
        using (var response = await asTeacher.PostAsync($"/v1/queue/{mine}/reschedule", Json($$"""{"sendAt":"{{Iso(DateTimeOffset.UtcNow)}}"}""")))
        {
            Assert.Equal(windowEnd.ToUnixTimeMilliseconds(), (await ReadJsonAsync(response)).GetProperty("deliverAtMs").GetInt64());
        }
    }

    [Fact]
    public async Task Cancel_Twice_IsIdempotent_AndCancelledCannotBeSentOrRescheduled()
    {
        await App.SeedAsync();
        var id = await QueueLaterAsync(Admin, TimeSpan.FromHours(1));
        using var first = await Admin.PostAsync($"/v1/queue/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("cancelled", (await ReadJsonAsync(first)).GetProperty("state").GetString());
        Assert.False(await App.Db.KeyExistsAsync(Keys.Delivery(id)));
        Assert.Null(await App.Db.SortedSetScoreAsync(Keys.DueFor(id), id));

        using var second = await Admin.PostAsync($"/v1/queue/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());

        using var sendNow = await Admin.PostAsync($"/v1/queue/{id}/send-now", null);
        Assert.Contains("cancelled", Detail(await ProblemAsync(sendNow, HttpStatusCode.Conflict)), StringComparison.Ordinal);
        using var reschedule = await Admin.PostAsync($"/v1/queue/{id}/reschedule", Json($$"""{"sendAt":"{{Iso(DateTimeOffset.UtcNow.AddHours(2))}}"}"""));
        await ProblemAsync(reschedule, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Cancel_Done_Returns409()
    {
        await App.SeedAsync();
        var id = await QueueAsync(Admin, """{"text":"now","to":{"users":["u1"]}}""");
        Assert.Equal("ok", await Courier.ClaimAsync(App, id));
        Assert.Equal("ok", await Courier.ReportAsync(App, id, ["u1"]));
        using var response = await Admin.PostAsync($"/v1/queue/{id}/cancel", null);
        Assert.Contains("done", Detail(await ProblemAsync(response, HttpStatusCode.Conflict)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_WhileDelivering_IsAllowed()
    {
        await App.SeedAsync();
        var id = await QueueAsync(Admin, """{"text":"now","to":{"users":["u1"]}}""");
        Assert.Equal("ok", await Courier.ClaimAsync(App, id));
        using var response = await Admin.PostAsync($"/v1/queue/{id}/cancel", null);
        Assert.Equal("cancelled", (await ReadJsonAsync(response)).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("send-now")]
    [InlineData("reschedule")]
    public async Task Change_UnknownId_Returns404(string action)
    {
        using var response = await Admin.PostAsync($"/v1/queue/admin:123/{action}",
            Json($$"""{"sendAt":"{{Iso(DateTimeOffset.UtcNow.AddHours(1))}}"}"""));
        await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Empty(await App.KeysAsync());
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("send-now")]
    [InlineData("reschedule")]
    public async Task Change_AnotherTeachersMessage_Returns403_ButStaffMay(string action)
    {
        var (teacher, staff, _) = await App.SeedAsync();
        var other = await App.UserAsync("t2", "teacher");
        using var owner = App.Client(teacher);
        var id = await QueueLaterAsync(owner, TimeSpan.FromHours(1));
        var body = $$"""{"sendAt":"{{Iso(DateTimeOffset.UtcNow.AddHours(3))}}"}""";
        using var stranger = App.Client(other);
        using var refused = await stranger.PostAsync($"/v1/queue/{id}/{action}", Json(body));
        await ProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.Equal("scheduled", JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement
            .GetProperty("state").GetString());
        using var byStaff = App.Client(staff);
        using var allowed = await byStaff.PostAsync($"/v1/queue/{id}/{action}", Json(body));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }
}
