namespace Ada.EndToEnd.Tests;

/// <summary>
/// A daylight-saving change seen by the real API process (issue 13), without a clock hook in Ada: the test compiles
/// a time zone of its own (<c>zic</c>, Debian's libc-bin) whose clocks spring forward an hour a minute or two from
/// now (and back ten days later, every year), and starts the API with <c>TZDIR</c> pointing at a copy of the system's zones plus that one (.NET reads its
/// zones from <c>TZDIR</c>). A daily schedule whose local time falls in the skipped hour must fire exactly once, at
/// the end of the gap, and its next occurrence is the next day's local time at the summer offset.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ScheduleDstProcessTests(RedisServer redis)
{
    private const string Zone = "Ada/SpringForward";

    [Fact]
    public async Task DailyScheduleInTheSkippedHour_FiresOnceAtTheEndOfTheGap_ThenAtTheSummerOffset()
    {
        var tzdir = Directory.CreateTempSubdirectory("ada-tzdir-");
        try
        {
            foreach (var entry in new DirectoryInfo("/usr/share/zoneinfo").EnumerateFileSystemInfos())
            {
                File.CreateSymbolicLink(Path.Combine(tzdir.FullName, entry.Name), entry.FullName);
            }
            await using var ada = await AdaStack.StartAsync(redis, api: new Dictionary<string, string> { ["TZDIR"] = tzdir.FullName });
            await People.ImportAsync(ada, [new Person("dst-s1", Telegram: "7400001")], ("dst-21", "DST-21", [new Person("dst-s1")], []));

            // The zone is made after the stack started (the API reads a zone when first asked), so that a slow start
            // cannot make the change pass before the schedule exists.
            var change = NextMinute(DateTimeOffset.UtcNow.AddSeconds(70));
            await CompileZoneAsync(tzdir.FullName, change);
            // Local time = UTC until the change, then UTC+1: a local time half an hour after the change's is skipped.
            var skipped = change.AddMinutes(30);
            var cron = $"{skipped.Minute} {skipped.Hour} * * *";

            using var created = await ada.Admin.PostAsJsonAsync("/v1/schedules",
                new { text = "Переход на летнее время", to = new { groups = new[] { "dst-21" } }, cron, timeZone = Zone });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var schedule = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
            var id = schedule["id"]!.GetValue<string>();
            Assert.Equal(change, Time(schedule["next"]));

            var fired = await Eventually.WaitAsync(
                async () => (await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/schedules/{id}"))!,
                s => s["occurrences"] is JsonArray { Count: > 0 },
                change - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60), $"schedule {id} to fire at {change:O}");
            var occurrence = Assert.Single(fired["occurrences"]!.AsArray())!;
            Assert.Equal("queued", occurrence["status"]!.GetValue<string>());
            Assert.Equal(change, Time(occurrence["at"]));
            // The next day's local time at the summer offset: a day minus the hour the clocks gained.
            Assert.Equal(skipped.AddHours(23), Time(fired["next"]));

            var history = await People.WaitDoneAsync(ada, occurrence["messageId"]!.GetValue<string>());
            Assert.Equal(1, history["channels"]!["telegram"]!["sent"]!.GetValue<int>());
            var after = (await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/schedules/{id}"))!;
            Assert.Single(after["occurrences"]!.AsArray());
        }
        finally
        {
            tzdir.Delete(recursive: true);
        }
    }

    private static DateTimeOffset NextMinute(DateTimeOffset at) =>
        new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero).AddMinutes(1);

    private static DateTimeOffset Time(JsonNode? node) =>
        DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    /// <summary>
    /// <see cref="Zone"/>: UTC+0 ("AST") until <paramref name="change"/>, UTC+1 ("ADT") for ten days from then, every year
    /// from this one — a yearly rule like a real zone's (.NET builds its adjustment rules from the zone's yearly rule;
    /// a one-off change is kept only to the day, which no real zone has).
    /// </summary>
    private static async Task CompileZoneAsync(string tzdir, DateTimeOffset change)
    {
        var source = Path.Combine(tzdir, "ada.zi");
        var back = change.AddDays(10);
        var backDay = back is { Month: 2, Day: 29 } ? 28 : back.Day;
        var c = CultureInfo.InvariantCulture;
        await File.WriteAllTextAsync(source,
            $"Rule\tAda\t{change.Year}\tmax\t-\t{change.ToString("MMM", c)}\t{change.Day}\t{change.ToString("HH:mm", c)}u\t1:00\tD\n" +
            $"Rule\tAda\t{change.Year}\tmax\t-\t{back.ToString("MMM", c)}\t{backDay}\t0:00u\t0\tS\n" +
            $"Zone\t{Zone}\t0:00\tAda\tA%sT\n");
        const string zic = "/usr/sbin/zic";
        Assert.True(File.Exists(zic), "zic is missing: install Debian's libc-bin (apt-get install libc-bin)");
        using var process = Process.Start(new ProcessStartInfo(zic, ["-d", tzdir, source]) { RedirectStandardError = true })!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"zic failed: {errors}");
    }
}
