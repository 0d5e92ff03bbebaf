namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class TrackerTests(RedisServer redis) : ApiTest(redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Tracker_OpenedBeforeQueue_StreamsSnapshotUpdatesAndEndComplete()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var key = await client.PostAsync("/v1/history-key", null);
        var id = (await ReadJsonAsync(key)).GetProperty("id").GetString()!;

        await using var stream = await EventStream.OpenAsync(client, $"/v1/history/{id}/events?timeout=30");
        Assert.Equal("text/event-stream", stream.ContentType);
        var snapshot = await stream.NextAsync(Wait);
        Assert.Equal(("snapshot", "null"), (snapshot.Event, snapshot.Data));

        using var queued = await client.PostAsync("/v1/queue", Json($$"""{"id":"{{id}}","text":"hi","to":{"groups":["g1"]} }"""));
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var scheduled = await stream.NextAsync(Wait);
        Assert.Equal("update", scheduled.Event);
        Assert.Equal("scheduled", State(scheduled.Data));

        Assert.Equal("ok", await Courier.ClaimAsync(App, id));
        var delivering = await stream.NextAsync(Wait);
        Assert.Equal("delivering", State(delivering.Data));

        Assert.Equal("ok", await Courier.ReportAsync(App, id, ["u1", "u2"]));
        var done = await stream.NextAsync(Wait);
        Assert.Equal("update", done.Event);
        Assert.Equal("done", State(done.Data));
        Assert.Equal(2, JsonDocument.Parse(done.Data).RootElement.GetProperty("channels").GetProperty("telegram").GetProperty("sent").GetInt32());

        var end = await stream.NextAsync(Wait);
        Assert.Equal(("end", """{"reason":"complete"}"""), (end.Event, end.Data));
        Assert.True(await stream.IsClosedAsync(Wait));
    }

    [Fact]
    public async Task Tracker_Cancel_EndsWithReasonCancelled()
    {
        await App.SeedAsync();
        var id = await QueueInAnHourAsync();
        await using var stream = await EventStream.OpenAsync(Admin, $"/v1/history/{id}/events");
        Assert.Equal("scheduled", State((await stream.NextAsync(Wait)).Data));

        using var cancel = await Admin.PostAsync($"/v1/queue/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var update = await stream.NextAsync(Wait);
        Assert.Equal(("update", "cancelled"), (update.Event, State(update.Data)));
        var end = await stream.NextAsync(Wait);
        Assert.Equal(("end", """{"reason":"cancelled"}"""), (end.Event, end.Data));
    }

    [Fact]
    public async Task Tracker_NothingHappens_EndsWithReasonTimeout()
    {
        await App.SeedAsync();
        var id = await QueueInAnHourAsync();
        var started = DateTimeOffset.UtcNow;
        await using var stream = await EventStream.OpenAsync(Admin, $"/v1/history/{id}/events?timeout=1");
        Assert.Equal("snapshot", (await stream.NextAsync(Wait)).Event);
        var end = await stream.NextAsync(Wait);
        Assert.Equal(("end", """{"reason":"timeout"}"""), (end.Event, end.Data));
        Assert.InRange((DateTimeOffset.UtcNow - started).TotalSeconds, 0.9, 8);
    }

    [Fact]
    public async Task Tracker_AlreadyDone_EndsRightAfterTheSnapshot()
    {
        await App.SeedAsync();
        var id = await QueueAsync(Admin, """{"text":"now","to":{"users":["u1"]}}""");
        await Courier.ClaimAsync(App, id);
        await Courier.ReportAsync(App, id, ["u1"]);
        await using var stream = await EventStream.OpenAsync(Admin, $"/v1/history/{id}/events?timeout=60");
        var snapshot = await stream.NextAsync(Wait);
        Assert.Equal(("snapshot", "done"), (snapshot.Event, State(snapshot.Data)));
        Assert.Equal("""{"reason":"complete"}""", (await stream.NextAsync(Wait)).Data);
    }

    [Fact]
    public async Task Tracker_ClientGoesAway_Unsubscribes()
    {
        await App.SeedAsync();
        const string id = "admin:5";
        var channel = RedisChannel.Literal($"__keyspace@{App.Database}__:{Keys.History(id)}");
        var stream = await EventStream.OpenAsync(Admin, $"/v1/history/{id}/events?timeout=60");
        await stream.NextAsync(Wait);
        Assert.Equal(1, await Subscribers(channel));
        await stream.DisposeAsync();
        await Eventually.WaitAsync(async () => await Subscribers(channel) == 0, Wait, "the tracker to unsubscribe");
    }

    [Fact]
    public async Task Streams_AreCappedPerCallerAndOverall_AndFreedWhenClosed()
    {
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Tracker:MaxStreamsPerCaller"] = "2", ["Tracker:MaxStreams"] = "3" });
        var (teacher, staff, _) = await app.SeedAsync();
        using var asTeacher = app.Client(teacher);
        using var asStaff = app.Client(staff);
        var first = await EventStream.OpenAsync(asTeacher, "/v1/history/t1:1/events?timeout=60");
        await using var second = await EventStream.OpenAsync(asTeacher, "/v1/history/t1:2/events?timeout=60");
        using (var third = await asTeacher.GetAsync("/v1/history/t1:3/events?timeout=60", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Contains("at most 2", Detail(await ProblemAsync(third, HttpStatusCode.TooManyRequests)), StringComparison.Ordinal);
        }
        await using var staffs = await EventStream.OpenAsync(asStaff, "/v1/history/st1:1/events?timeout=60");
        using (var overall = await asStaff.GetAsync("/v1/history/st1:2/events?timeout=60", HttpCompletionOption.ResponseHeadersRead))
        {
            await ProblemAsync(overall, HttpStatusCode.TooManyRequests);
        }

        await first.NextAsync(Wait);
        await first.DisposeAsync();
        await Eventually.WaitAsync(async () =>
        {
            using var again = await asTeacher.GetAsync("/v1/history/t1:4/events?timeout=1", HttpCompletionOption.ResponseHeadersRead);
            return again.StatusCode == HttpStatusCode.OK;
        }, Wait, "a closed stream to free its place");
    }

    [Fact]
    public async Task Queue_TeacherNamesAGroupThatIsNotTheirsOrDoesNotExist_SameAnswer()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        var details = new List<string>();
        foreach (var group in new[] { "g2", "nogroup" })
        {
            using var response = await client.PostAsync("/v1/queue", Json("{\"text\":\"hi\",\"to\":{\"groups\":[\"" + group + "\"]}}"));
            var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.False(problem.TryGetProperty("unknown", out _));
            details.Add(Detail(problem).Replace(group, "<id>", StringComparison.Ordinal));
        }
        Assert.Equal(details[0], details[1]);
        await AssertNothingQueuedAsync(App);
    }

    private async Task<long> Subscribers(RedisChannel channel)
    {
        var result = (RedisResult[])(await App.Db.ExecuteAsync("PUBSUB", "NUMSUB", channel.ToString()))!;
        return (long)result[1];
    }

    private Task<string> QueueInAnHourAsync() =>
        QueueAsync(Admin, $$"""{"text":"later","to":{"users":["u1"]},"sendAt":"{{DateTimeOffset.UtcNow.AddHours(1):O}}"}""");

    private static string State(string json) => JsonDocument.Parse(json).RootElement.GetProperty("state").GetString()!;

    /// <summary>A server-sent event stream read event by event; comments (keep-alives) are skipped.</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IAsyncDisposable
    {
        public string? ContentType => response.Content.Headers.ContentType?.MediaType;

        public static async Task<EventStream> OpenAsync(HttpClient client, string path)
        {
            var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        public async Task<(string Event, string Data)> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            string? name = null;
            var data = new List<string>();
            while (true)
            {
                var line = await reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("The stream ended before the next event.");
                if (line.Length == 0 && name is not null)
                {
                    return (name, string.Join("\n", data));
                }
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line["data: ".Length..]);
                }
            }
        }

        public async Task<bool> IsClosedAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            return await reader.ReadLineAsync(cts.Token) is null;
        }

        public ValueTask DisposeAsync()
        {
            reader.Dispose();
            response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
