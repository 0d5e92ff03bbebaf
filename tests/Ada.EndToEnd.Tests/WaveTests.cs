namespace Ada.EndToEnd.Tests;

/// <summary>
/// Delivery at each recipient's local time (issue 13) through the real processes: a group with one student in
/// Moscow and one in Vladivostok (the users' own <c>timeZone</c>), the API's quiet hours placed around Vladivostok's
/// current local time so that its night ends a minute or two from now while Moscow's day goes on. The message goes
/// out as two waves of one message: Moscow at once, Vladivostok when its window ends.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class WaveTests(RedisServer redis)
{
    private static readonly TimeSpan Vladivostok = TimeSpan.FromHours(10);

    /// <summary>
    /// A quiet-hours window (<c>Scheduling__QuietHours</c>, applied in each recipient's zone) that Vladivostok is inside
    /// now and leaves 50-110 s from now (windows are whole minutes); Moscow, seven hours behind, is far outside it.
    /// </summary>
    private static (string Window, DateTimeOffset End) NightEndingSoonInVladivostok()
    {
        var now = DateTimeOffset.UtcNow.ToOffset(Vladivostok);
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, Vladivostok);
        var end = minute.AddMinutes(1);
        while (end - now < TimeSpan.FromSeconds(50))
        {
            end = end.AddMinutes(1);
        }
        var window = $"{minute.AddMinutes(-1).ToString("HH:mm", CultureInfo.InvariantCulture)}-{end.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        return (window, end);
    }

    /// <summary>The stack, when Vladivostok's night ends, and the teacher's client of the API with quiet hours; disposed together.</summary>
    private sealed record Night(AdaStack Ada, DateTimeOffset End, HttpClient Teacher) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Teacher.Dispose();
            await Ada.DisposeAsync();
        }
    }

    /// <summary>
    /// The stack (quiet hours off), then — so that a slow start does not eat the night — a second API instance whose
    /// quiet hours end in Vladivostok a minute or two from now; the teacher's client talks to that instance.
    /// </summary>
    private static async Task<Night> StartAsync(RedisServer redis)
    {
        var ada = await AdaStack.StartAsync(redis);
        try
        {
            var (window, end) = NightEndingSoonInVladivostok();
            var api = await ada.StartApiInstanceAsync(new Dictionary<string, string>
            {
                ["Scheduling__QuietHours"] = window,
                ["Scheduling__TimeZone"] = "Europe/Moscow",
            });
            Assert.True(end - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(15),
                $"the API with quiet hours took until {DateTimeOffset.UtcNow:O} to start; Vladivostok's night ends at {end:O}");
            using var imported = await ada.Admin.PostAsJsonAsync("/v1/import", new
            {
                users = new object[]
                {
                    new { id = "wv-msk", name = "Moscow", role = "student", timeZone = "Europe/Moscow", contacts = new { telegram = "7300001" } },
                    new { id = "wv-vvo", name = "Vladivostok", role = "student", timeZone = "Asia/Vladivostok", contacts = new { telegram = "7300002" } },
                    new { id = "wv-t", name = "Teacher", role = "teacher", contacts = new { } },
                },
                groups = new[] { new { id = "wv-21", name = "WV-21", members = new[] { "wv-msk", "wv-vvo" }, owners = new[] { "wv-t" } } },
            });
            Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
            return new Night(ada, end, ada.Client(await ada.TokenForAsync("wv-t"), api));
        }
        catch
        {
            await ada.DisposeAsync();
            throw;
        }
    }

    private static async Task<JsonObject> QueueAsync(HttpClient teacher, string id, string text)
    {
        using var response = await teacher.PostAsJsonAsync("/v1/queue", new { id, text, to = new { groups = new[] { "wv-21" } } });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<string> NewIdAsync(HttpClient teacher)
    {
        using var response = await teacher.PostAsync("/v1/history-key", null);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>
    /// Queues <paramref name="text"/> to the group with its tracker (<c>/v1/history/{id}/events</c>) open first, checks
    /// that the answer is two waves (<see cref="AssertTwoWaves"/>), and returns the id and the tracker.
    /// </summary>
    private static async Task<(string Id, Task<List<(string Event, string Data)>> Tracking)> QueueTrackedInTwoWavesAsync(
        HttpClient teacher, string text, DateTimeOffset nightEnd)
    {
        var id = await NewIdAsync(teacher);
        var opened = new TaskCompletionSource();
        var tracking = AdaStack.ReadEventsAsync(teacher, $"/v1/history/{id}/events?timeout=170", opened);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(10));
        AssertTwoWaves(await QueueAsync(teacher, id, text), nightEnd);
        return (id, tracking);
    }

    private static List<string> Texts(JsonArray inbox) => [.. inbox.Select(m => m!["text"]!.GetValue<string>())];

    /// <summary>The queue's answer: wave 0 (Moscow) now and not moved, wave 1 (Vladivostok) at its night's end, moved by quiet hours.</summary>
    private static void AssertTwoWaves(JsonObject answer, DateTimeOffset nightEnd)
    {
        var waves = answer["waves"]!.AsArray();
        Assert.Equal(2, waves.Count);
        Assert.Equal((1, "Europe/Moscow"), (waves[0]!["recipients"]!.GetValue<int>(), waves[0]!["zones"]![0]!["zone"]!.GetValue<string>()));
        Assert.Equal((1, "Asia/Vladivostok"), (waves[1]!["recipients"]!.GetValue<int>(), waves[1]!["zones"]![0]!["zone"]!.GetValue<string>()));
        Assert.Equal(nightEnd.ToUnixTimeMilliseconds(), waves[1]!["atMs"]!.GetValue<long>());
        Assert.Equal("quiet-hours", waves[1]!["rescheduled"]!["reason"]!.GetValue<string>());
        Assert.Null(answer["rescheduled"]);
        Assert.True(waves[0]!["atMs"]!.GetValue<long>() < nightEnd.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task TwoZones_CancelBetweenWaves_TheFirstIsDelivered_TheSecondNeverSent_AndTheTrackerEnds()
    {
        await using var night = await StartAsync(redis);
        var (ada, nightEnd, teacher) = night;
        var (id, tracking) = await QueueTrackedInTwoWavesAsync(teacher, "Пара переносится в 305", nightEnd);

        // Wave 0: Moscow now. Vladivostok has nothing yet, and the message is still delivering between waves.
        var between = await People.WaitHistoryAsync(ada, id,
            h => h["waves"]![0]!["state"]!.GetValue<string>() == "done", "wave 0 done");
        Assert.Equal("delivering", between["state"]!.GetValue<string>());
        Assert.Equal("scheduled", between["waves"]![1]!["state"]!.GetValue<string>());
        Assert.Equal(["Пара переносится в 305"], Texts(await ada.InboxAsync("7300001")));
        Assert.Empty(await ada.InboxAsync("7300002"));
        Assert.True(DateTimeOffset.UtcNow < nightEnd, "the first wave took until the second's time; the test proves nothing");
        Assert.False(tracking.IsCompleted, "the tracker ended before the last wave");

        using (var cancel = await teacher.PostAsync($"/v1/queue/{id}/cancel", null))
        {
            Assert.True(cancel.StatusCode == HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
        }
        var events = await tracking.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("cancelled", AdaStack.Parse(events[^1].Data)["reason"]!.GetValue<string>());

        // A probe queued now for the same group: its Vladivostok wave falls due at the same night's end. Once it has
        // arrived, the cancelled message's second wave had its moment too, and did not go.
        var probe = await QueueAsync(teacher, await NewIdAsync(teacher), "Проба");
        Assert.Equal(nightEnd.ToUnixTimeMilliseconds(), probe["waves"]![1]!["atMs"]!.GetValue<long>());
        await People.WaitDoneAsync(ada, probe["id"]!.GetValue<string>(), TimeSpan.FromSeconds(150));
        Assert.True(DateTimeOffset.UtcNow >= nightEnd);

        Assert.Equal(["Проба"], Texts(await ada.InboxAsync("7300002")));
        Assert.Equal(["Пара переносится в 305", "Проба"], Texts(await ada.InboxAsync("7300001")));
        var history = (await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/history/{id}"))!;
        Assert.Equal("cancelled", history["state"]!.GetValue<string>());
        Assert.Equal(["done", "cancelled"], history["waves"]!.AsArray().Select(w => w!["state"]!.GetValue<string>()));
        Assert.Equal(1, People.Count(history["channels"]!["telegram"], "sent"));
        var receipts = await People.ReceiptsAsync(ada, id);
        var receipt = Assert.Single(receipts);
        Assert.Equal(("wv-msk", "sent", 0), (receipt!["userId"]!.GetValue<string>(), receipt["status"]!.GetValue<string>(), receipt["wave"]!.GetValue<int>()));
    }

    [Fact]
    public async Task TwoZones_BothWavesDelivered_EachReceiptCarriesItsWave_TheHistoryListsTheWaves_TheTrackerEndsAfterTheLast()
    {
        await using var night = await StartAsync(redis);
        var (ada, nightEnd, teacher) = night;
        var (id, tracking) = await QueueTrackedInTwoWavesAsync(teacher, "Консультация в пятницу", nightEnd);
        await People.WaitHistoryAsync(ada, id, h => h["waves"]![0]!["state"]!.GetValue<string>() == "done", "wave 0 done");
        Assert.False(tracking.IsCompleted, "the tracker ended before the last wave");

        var events = await tracking.WaitAsync(TimeSpan.FromSeconds(170));
        var ended = DateTimeOffset.UtcNow;
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("complete", AdaStack.Parse(events[^1].Data)["reason"]!.GetValue<string>());
        Assert.True(ended >= nightEnd, $"the tracker ended at {ended:O}, before the second wave's time {nightEnd:O}");
        // The updates show the message between its waves: delivering with wave 0 done and wave 1 still scheduled.
        Assert.Contains(events, e => e.Event == "update" && AdaStack.Parse(e.Data) is var h
            && h["state"]!.GetValue<string>() == "delivering"
            && h["waves"]![0]!["state"]!.GetValue<string>() == "done" && h["waves"]![1]!["state"]!.GetValue<string>() == "scheduled");

        var vvo = await ada.InboxAsync("7300002");
        Assert.Equal(["Консультация в пятницу"], Texts(vvo));
        Assert.True(vvo[0]!["receivedAtUnixMs"]!.GetValue<long>() >= nightEnd.ToUnixTimeMilliseconds(),
            "Vladivostok received the message before its night ended");
        Assert.Equal(["Консультация в пятницу"], Texts(await ada.InboxAsync("7300001")));

        var receipts = (await People.ReceiptsAsync(ada, id)).ToDictionary(r => r!["userId"]!.GetValue<string>(), r => r!);
        Assert.Equal(("sent", 0), (receipts["wv-msk"]["status"]!.GetValue<string>(), receipts["wv-msk"]["wave"]!.GetValue<int>()));
        Assert.Equal(("sent", 1), (receipts["wv-vvo"]["status"]!.GetValue<string>(), receipts["wv-vvo"]["wave"]!.GetValue<int>()));

        // The sender's history list shows the message with its waves: when, how many, done.
        var listed = (await teacher.GetFromJsonAsync<JsonArray>("/v1/history?limit=10"))!.Single(m => m!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("done", listed["state"]!.GetValue<string>());
        var waves = listed["waves"]!.AsArray();
        Assert.Equal([1, 1], waves.Select(w => w!["recipients"]!.GetValue<int>()));
        Assert.Equal(["done", "done"], waves.Select(w => w!["state"]!.GetValue<string>()));
        Assert.Equal(nightEnd, DateTimeOffset.Parse(waves[1]!["at"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(2, People.Count(listed["channels"]!["telegram"], "sent"));
    }
}
