namespace Ada.Api.Tests;

/// <summary>
/// Reschedule and send-now of a message in waves (issue 13): they act on the waves not started yet, planned again zone by
/// zone. The quiet hours are a three-hour window around Vladivostok's current local time (u1 lives there): now it is
/// Vladivostok's night and Moscow's day (u2, u3, the institution's zone), seven hours behind.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class WaveChangeTests(RedisServer redis) : ApiTest(redis)
{
    private static readonly TimeSpan Vladivostok = TimeSpan.FromHours(10);

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>The app, the tokens of teacher t1 and staff st1, and when Vladivostok's night ends today (the window's end).</summary>
    private async Task<(AdaApplication App, HttpClient Teacher, HttpClient Staff, DateTimeOffset NightEnd)> StartAsync()
    {
        var now = DateTimeOffset.UtcNow.ToOffset(Vladivostok);
        var end = now.AddHours(2);
        var nightEnd = new DateTimeOffset(end.Year, end.Month, end.Day, end.Hour, end.Minute, 0, Vladivostok);
        var window = $"{now.AddHours(-1).ToString("HH:mm", CultureInfo.InvariantCulture)}-{nightEnd.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:QuietHours"] = window, ["Scheduling:TimeZone"] = "Europe/Moscow" });
        var (teacher, staff, _) = await app.SeedAsync();
        await app.PutAsync("/v1/users/u1", """{"name":"u1","role":"student","contacts":{"telegram":"21"},"timeZone":"Asia/Vladivostok"}""");
        await app.PutAsync("/v1/groups/g1", """{"name":"Group 1","members":["u1","u2","u3"],"owners":["t1"]}""");
        return (app, app.Client(teacher), app.Client(staff), nightEnd);
    }

    private static async Task<JsonElement> QueueAsync(HttpClient client, DateTimeOffset? sendAt)
    {
        var at = sendAt is { } s ? $",\"sendAt\":\"{Iso(s)}\"" : "";
        using var response = await client.PostAsync("/v1/queue", Json($$"""{"text":"hi","to":{"groups":["g1"]}{{at}}}"""));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private static async Task<JsonElement> ChangeAsync(HttpClient client, string id, string action, string? body = null)
    {
        using var response = await client.PostAsync($"/v1/queue/{id}/{action}", body is null ? null : Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await ReadJsonAsync(response);
    }

    /// <summary>Each wave as (atMs, recipients, state, zones, rescheduled reason or null).</summary>
    private static List<(long At, int Recipients, string State, string Zones, string? Moved)> Waves(JsonElement history) =>
        [.. history.GetProperty("waves").EnumerateArray().Select(w => (
            w.GetProperty("atMs").GetInt64(),
            w.GetProperty("recipients").GetInt32(),
            w.GetProperty("state").GetString()!,
            string.Join(' ', w.GetProperty("zones").EnumerateArray().Select(z => $"{z.GetProperty("zone").GetString()}:{z.GetProperty("recipients").GetInt32()}").Order()),
            w.TryGetProperty("rescheduled", out var r) && r.ValueKind == JsonValueKind.Object ? r.GetProperty("reason").GetString() : null))];

    /// <summary>The recipient snapshot in wave order: Moscow's two (in either order), then Vladivostok's.</summary>
    private static async Task AssertMoscowThenVladivostokAsync(AdaApplication app, string id)
    {
        var ids = (await app.Db.ListRangeAsync(Keys.Recipients(id))).Select(v => v.ToString()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(["u2", "u3"], ids.Take(2).Order());
        Assert.Equal("u1", ids[2]);
    }

    [Fact]
    public async Task Reschedule_NoWaveStarted_PlansEveryZoneAgain_IntoVladivostoksNight_SplitsTheWave()
    {
        var (app, teacher, _, nightEnd) = await StartAsync();
        using var _ = teacher;
        // Tomorrow, four hours from now's clock time: day in both zones, so one wave of both zones.
        var id = (await QueueAsync(teacher, DateTimeOffset.UtcNow.AddDays(1).AddHours(4))).GetProperty("id").GetString()!;
        var queued = Waves(JsonDocument.Parse((await app.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement);
        Assert.Equal((3, "Asia/Vladivostok:1 Europe/Moscow:2"), (Assert.Single(queued).Recipients, queued[0].Zones));

        // Tomorrow at this clock time: still Moscow's day, but Vladivostok's night again.
        var at = DateTimeOffset.UtcNow.AddDays(1);
        var history = await ChangeAsync(teacher, id, "reschedule", $$"""{"sendAt":"{{Iso(at)}}"}""");

        Assert.Equal([
            (at.ToUnixTimeMilliseconds(), 2, "scheduled", "Europe/Moscow:2", null),
            (nightEnd.AddDays(1).ToUnixTimeMilliseconds(), 1, "scheduled", "Asia/Vladivostok:1", "quiet-hours"),
        ], Waves(history));
        Assert.Equal(at.ToUnixTimeMilliseconds(), history.GetProperty("deliverAtMs").GetInt64());
        Assert.Equal(JsonValueKind.Null, history.GetProperty("rescheduled").ValueKind);
        Assert.Equal("scheduled", history.GetProperty("state").GetString());
        Assert.Equal(at.ToUnixTimeMilliseconds(), (long)(await app.Db.SortedSetScoreAsync(Keys.DueFor(id), id))!.Value);
        Assert.InRange((await app.Db.KeyTimeToLiveAsync(Keys.Delivery(id)))!.Value.TotalHours, 23.9, 24.0);
        await AssertMoscowThenVladivostokAsync(app, id);
    }

    [Fact]
    public async Task SendNow_TeacherInsideARecipientsNight_MovesThatZoneToItsMorning_StaffSendsEveryoneNow()
    {
        var (app, teacher, staff, nightEnd) = await StartAsync();
        using var _ = teacher;
        using var __ = staff;
        var later = DateTimeOffset.UtcNow.AddDays(1).AddHours(4);
        var mine = (await QueueAsync(teacher, later)).GetProperty("id").GetString()!;
        var other = (await QueueAsync(teacher, later)).GetProperty("id").GetString()!;

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var history = await ChangeAsync(teacher, mine, "send-now");

        var waves = Waves(history);
        Assert.Equal(2, waves.Count);
        Assert.InRange(waves[0].At, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
        Assert.Equal((2, "scheduled", "Europe/Moscow:2", (string?)null), (waves[0].Recipients, waves[0].State, waves[0].Zones, waves[0].Moved));
        Assert.Equal((nightEnd.ToUnixTimeMilliseconds(), 1, "scheduled", "Asia/Vladivostok:1", "quiet-hours"), waves[1]);
        Assert.Equal(waves[0].At, history.GetProperty("deliverAtMs").GetInt64());
        Assert.Equal(waves[0].At, (long)(await app.Db.SortedSetScoreAsync(Keys.DueFor(mine), mine))!.Value);
        await AssertMoscowThenVladivostokAsync(app, mine);

        // Staff may send now inside anyone's night: one wave, everyone, now.
        before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var sent = Waves(await ChangeAsync(staff, other, "send-now"));
        var wave = Assert.Single(sent);
        Assert.InRange(wave.At, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
        Assert.Equal((3, "Asia/Vladivostok:1 Europe/Moscow:2", (string?)null), (wave.Recipients, wave.Zones, wave.Moved));
    }

    [Fact]
    public async Task RescheduleAndSendNow_AfterTheFirstWaveStarted_MoveOnlyTheWavesNotStarted_AndWhenEveryWaveStarted409()
    {
        var (app, teacher, staff, nightEnd) = await StartAsync();
        using var _ = teacher;
        using var __ = staff;
        // Now: Moscow at once (wave 0), Vladivostok at its night's end (wave 1).
        var answer = await QueueAsync(teacher, null);
        var id = answer.GetProperty("id").GetString()!;
        var first = Waves(answer)[0];
        Assert.Equal(nightEnd.ToUnixTimeMilliseconds(), Waves(answer)[1].At);
        Assert.Equal("ok", await Courier.ClaimAsync(app, id));

        // Wave 0 is being sent: a reschedule moves wave 1 only, and keeps the started wave and its recipients.
        var at = DateTimeOffset.UtcNow.AddDays(1).AddHours(4);
        var history = await ChangeAsync(teacher, id, "reschedule", $$"""{"sendAt":"{{Iso(at)}}"}""");
        Assert.Equal([
            first with { State = "delivering" },
            (at.ToUnixTimeMilliseconds(), 1, "scheduled", "Asia/Vladivostok:1", null),
        ], Waves(history));
        Assert.Equal(first.At, history.GetProperty("deliverAtMs").GetInt64());
        Assert.Equal("delivering", history.GetProperty("state").GetString());
        await AssertMoscowThenVladivostokAsync(app, id);

        // A teacher's send-now puts Vladivostok back to its night's end; staff's sends it now.
        var teachers = Waves(await ChangeAsync(teacher, id, "send-now"));
        Assert.Equal((nightEnd.ToUnixTimeMilliseconds(), "quiet-hours"), (teachers[1].At, teachers[1].Moved));
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var now = Waves(await ChangeAsync(staff, id, "send-now"));
        Assert.Equal("delivering", now[0].State);
        Assert.InRange(now[1].At, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);

        // The courier finishes wave 0 and starts wave 1: nothing is left to move.
        Assert.Equal("ok", await Courier.ReportAsync(app, id, ["u2", "u3"]));
        Assert.Equal("ok", await Courier.ClaimAsync(app, id));
        using var reschedule = await teacher.PostAsync($"/v1/queue/{id}/reschedule", Json($$"""{"sendAt":"{{Iso(at)}}"}"""));
        Assert.Contains("delivering", Detail(await ProblemAsync(reschedule, HttpStatusCode.Conflict)), StringComparison.Ordinal);
        using var sendNow = await staff.PostAsync($"/v1/queue/{id}/send-now", null);
        await ProblemAsync(sendNow, HttpStatusCode.Conflict);
        var stored = JsonDocument.Parse((await app.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement;
        Assert.Equal(["done", "delivering"], Waves(stored).Select(x => x.State));
    }

    [Fact]
    public async Task OpenApi_SaysHowWavesAreQueuedChangedAndCancelled_AndWhereAUsersZoneGoes()
    {
        var app = await NewAppAsync();
        using var anonymous = app.Client(null);
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        var paths = (await ReadJsonAsync(response)).GetProperty("paths");
        string Description(string path, string method) => paths.GetProperty(path).GetProperty(method).GetProperty("description").GetString()!;

        Assert.Contains("waves", Description("/v1/queue", "post"), StringComparison.Ordinal);
        Assert.Contains("waves not started", Description("/v1/queue/{id}/reschedule", "post"), StringComparison.Ordinal);
        Assert.Contains("waves not started", Description("/v1/queue/{id}/send-now", "post"), StringComparison.Ordinal);
        Assert.Contains("waves already done stay done", Description("/v1/queue/{id}/cancel", "post"), StringComparison.Ordinal);
        Assert.Contains("timeZone", Description("/v1/users/{userId}", "put"), StringComparison.Ordinal);
        Assert.Contains("daylight-saving", Description("/v1/schedules", "post"), StringComparison.Ordinal);
    }
}
