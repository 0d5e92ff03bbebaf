using Ada.Api.Schedules;

namespace Ada.Api.Tests;

/// <summary>
/// Schedules across daylight-saving changes (issue 13: "a DST change does not duplicate or drop an occurrence"): the API
/// in memory with its schedule worker and a real Redis, its clock (<see cref="AdaApplication.Clock"/>) stepped through
/// the nights of a spring-forward and a fall-back change. Each due tick is fired as the worker fires it
/// (<see cref="ScheduleFirer"/>: plan, queue the message, advance the tick in Redis); the occurrences recorded and the
/// messages queued are counted. The processes of the end-to-end tests run on the real clock, which no test can move
/// to a night of a change without a clock hook in production code, so this is where DST is covered with Redis.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ScheduleDstTests(RedisServer redis)
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>A clock that shows what the test sets; its timers and timestamps stay the system's.</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public DateTimeOffset Now
        {
            get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
        }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Run(List<DateTimeOffset> Occurrences, List<string> Statuses, List<string> MessageIds, AdaApplication App, SteppedClock Clock, string Id);

    /// <summary>
    /// Creates a schedule at <paramref name="start"/> and fires every tick up to <paramref name="until"/>, each 5 s after it
    /// falls due, as the API's own worker would (it runs too; a tick fired by either is fired once).
    /// </summary>
    private async Task<Run> WalkAsync(string cron, string zone, DateTimeOffset start, DateTimeOffset until)
    {
        var clock = new SteppedClock(start);
        var app = new AdaApplication(redis) { Clock = clock };
        await app.StartAsync();
        await app.PutAsync("/v1/users/u1", """{"name":"u1","role":"student","contacts":{"telegram":"21"}}""");
        using var admin = app.Client();
        using var created = await admin.PostAsync("/v1/schedules",
            AdaApplication.Json($$"""{"text":"Планёрка","to":{"users":["u1"]},"cron":"{{cron}}","timeZone":"{{zone}}"}"""));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await AdaApplication.ReadJsonAsync(created)).GetProperty("id").GetString()!;
        var firer = app.Services.GetRequiredService<ScheduleFirer>();
        for (var step = 0; step < 50; step++)
        {
            var next = Next(await GetAsync(admin, id));
            if (next is not { } tick || tick > until)
            {
                break;
            }
            clock.Now = tick.AddSeconds(5);
            await firer.FireAsync(id);
            await Eventually.WaitAsync(() => GetAsync(admin, id), s => Next(s) != tick, TimeSpan.FromSeconds(20), $"the tick {tick:O} of {id} fired");
        }
        return await ReadRunAsync(app, clock, id);
    }

    private static async Task<Run> ReadRunAsync(AdaApplication app, SteppedClock clock, string id)
    {
        using var admin = app.Client();
        var occurrences = (await GetAsync(admin, id)).GetProperty("occurrences").EnumerateArray().Reverse().ToList();
        return new Run(
            [.. occurrences.Select(o => DateTimeOffset.Parse(o.GetProperty("at").GetString()!, CultureInfo.InvariantCulture))],
            [.. occurrences.Select(o => o.GetProperty("status").GetString()!)],
            [.. occurrences.Select(o => o.TryGetProperty("messageId", out var m) ? m.GetString()! : "")],
            app, clock, id);
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/v1/schedules/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await AdaApplication.ReadJsonAsync(response);
    }

    private static DateTimeOffset? Next(JsonElement schedule) =>
        schedule.GetProperty("next").ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(schedule.GetProperty("next").GetString()!, CultureInfo.InvariantCulture)
            : null;

    /// <summary>The messages in Redis that are occurrences of the schedule (the bootstrap admin's history list).</summary>
    private static async Task<List<string>> MessagesAsync(Run run)
    {
        var ids = new List<string>();
        foreach (var id in await run.App.Db.SortedSetRangeByRankAsync(Keys.SenderHistory("admin")))
        {
            var json = await run.App.Db.StringGetAsync(Keys.History(id.ToString()));
            if (!json.IsNull && AdaJson.Deserialize<HistoryDocument>(json.ToString())!.ScheduleId == run.Id)
            {
                ids.Add(id.ToString());
            }
        }
        return ids;
    }

    /// <summary>Every occurrence was queued as its own message, and Redis holds exactly those messages.</summary>
    private static async Task AssertOneMessageEachAsync(Run run, int count)
    {
        Assert.Equal(count, run.Occurrences.Count);
        Assert.All(run.Statuses, s => Assert.Equal("queued", s));
        Assert.Equal(count, run.MessageIds.Distinct().Count());
        Assert.Equal(run.MessageIds.Order(), (await MessagesAsync(run)).Order());
    }

    [Fact]
    public async Task DailyAt0230_Berlin_SpringForward_TheSkippedTimeFiresOnceAtTheEndOfTheGap()
    {
        // 2026-03-29 02:00 CET becomes 03:00 CEST: 02:30 does not exist that night.
        var run = await WalkAsync("30 2 * * *", "Europe/Berlin", new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero));
        await using var _ = run.App;

        Assert.Equal([
            new DateTimeOffset(2026, 3, 28, 2, 30, 0, TimeSpan.FromHours(1)),
            new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)),
            new DateTimeOffset(2026, 3, 30, 2, 30, 0, TimeSpan.FromHours(2)),
        ], run.Occurrences);
        await AssertOneMessageEachAsync(run, 3);
    }

    [Fact]
    public async Task DailyAt0230_Berlin_FallBack_TheRepeatedTimeFiresOnce_EvenWhenTheClockShows0230Again()
    {
        // 2026-10-25 03:00 CEST becomes 02:00 CET: 02:30 happens twice that night (00:30 and 01:30 UTC).
        var run = await WalkAsync("30 2 * * *", "Europe/Berlin", new DateTimeOffset(2026, 10, 23, 12, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 10, 25, 1, 0, 0, TimeSpan.Zero));
        await using var _ = run.App;
        Assert.Equal([
            new DateTimeOffset(2026, 10, 24, 2, 30, 0, TimeSpan.FromHours(2)),
            new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)),
        ], run.Occurrences);

        // The second 02:30 (CET): nothing is due; the next tick is the next night's.
        var repeated = new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(1));
        Assert.Equal("02:30", TimeZoneInfo.ConvertTime(repeated, Berlin).ToString("HH:mm", CultureInfo.InvariantCulture));
        run.Clock.Now = repeated.AddSeconds(5);
        await run.App.Services.GetRequiredService<ScheduleFirer>().FireAsync(run.Id);
        using var admin = run.App.Client();
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 2, 30, 0, TimeSpan.FromHours(1)), Next(await GetAsync(admin, run.Id)));

        run.Clock.Now = new DateTimeOffset(2026, 10, 26, 2, 30, 5, TimeSpan.FromHours(1));
        await run.App.Services.GetRequiredService<ScheduleFirer>().FireAsync(run.Id);
        var after = await ReadRunAsync(run.App, run.Clock, run.Id);
        Assert.Equal(3, after.Occurrences.Count);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 2, 30, 0, TimeSpan.FromHours(1)), after.Occurrences[^1]);
        await AssertOneMessageEachAsync(after, 3);
    }

    [Theory]
    // 2026-03-08 02:00 EST becomes 03:00 EDT: from 23:30 EST the hours 00, 01, 03, 04, 05 local — five real hours.
    [InlineData(2026, 3, 8, 4)]
    // 2026-11-01 02:00 EDT becomes 01:00 EST: from 23:30 EDT the hours 00, 01 (EDT), 01 (EST), 02, 03 — five real hours.
    [InlineData(2026, 11, 1, 3)]
    public async Task Hourly_NewYork_EveryRealHourOnce_AcrossTheChange(int year, int month, int day, int utcHourBeforeMidnight)
    {
        var start = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero).AddHours(utcHourBeforeMidnight).AddMinutes(30);
        var run = await WalkAsync("0 * * * *", "America/New_York", start, start.AddHours(5));
        await using var _ = run.App;

        Assert.Equal(Enumerable.Range(0, 5).Select(h => start.AddMinutes(30).AddHours(h)), run.Occurrences);
        Assert.Equal(0, TimeZoneInfo.ConvertTime(run.Occurrences[0], NewYork).Hour);
        await AssertOneMessageEachAsync(run, 5);
    }
}
