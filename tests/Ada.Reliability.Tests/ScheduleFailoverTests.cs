using System.Net.Http.Headers;

namespace Ada.Reliability.Tests;

/// <summary>
/// Issue 13: a schedule fires exactly once per occurrence across two API instances, whichever is killed, and an
/// occurrence missed while every API instance was down is sent once when one comes back. Real processes, real
/// time: the schedule runs every minute, so the test waits for minute boundaries (about three minutes in all).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ScheduleFailoverTests(RedisServer redis, ITestOutputHelper output)
{
    private const int Students = 5;
    private const string Text = "Напоминание: консультация по матанализу";
    private static readonly TimeSpan Occurrence = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EveryMinute_TheFiringInstanceKilled_TheOtherFiresTheNext_AllDownThenBack_TheMissedOneIsSentOnce()
    {
        await using var ada = await Stack.StartAsync(redis, output);
        var chats = await ada.ImportGroupAsync("g-sched", Students, chatBase: 4_000_000);
        await using var second = await ServiceProcess.StartAsync("Ada.Api", ada.Api!.Environment);
        var apis = new List<ServiceProcess> { ada.Api, second };

        using var created = await ada.Admin.PostAsJsonAsync("/v1/schedules",
            new { text = Text, to = new { groups = new[] { "g-sched" } }, cron = "* * * * *", timeZone = "Europe/Berlin" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        ada.Log($"schedule {id} made; two API instances (pids {ada.Api.ProcessId}, {second.ProcessId})");

        // 1. The first occurrence, fired by one of the two.
        var first = await WaitOccurrencesAsync(ada, second, id, 1);
        var firer = apis.Single(a => a.Output.Contains(id, StringComparison.Ordinal) && a.Output.Contains("queued as", StringComparison.Ordinal));
        var survivor = apis.Single(a => a != firer);
        ada.Log($"occurrence 1 at {first[0]!["at"]} fired by pid {firer.ProcessId}; killing it");
        firer.Kill();

        // 2. The next one, fired by the survivor.
        var two = await WaitOccurrencesAsync(ada, survivor, id, 2);
        ada.Log($"occurrence 2 at {two[0]!["at"]} fired by the survivor; killing it too: no API runs");
        survivor.Kill();

        // 3. Everything API-side is down over the next minute boundary; the couriers still touch the tick, nobody hears it.
        var missed = DateTimeOffset.Parse(two[0]!["at"]!.GetValue<string>(), CultureInfo.InvariantCulture).AddMinutes(1);
        await Stack.DelayUntilAsync(missed.AddSeconds(5));
        await using var back = await ServiceProcess.StartAsync("Ada.Api", survivor.Environment);
        ada.Log($"an API instance is back (pid {back.ProcessId}), {(DateTimeOffset.UtcNow - missed).TotalSeconds:0} s after the missed occurrence");
        var three = await WaitOccurrencesAsync(ada, back, id, 3);
        using (var client = Client(back))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/schedules/{id}")).StatusCode);
        }

        var occurrences = three.Select(o => o!.AsObject()).Reverse().Take(3).ToList();
        Assert.All(occurrences, o => Assert.Equal("queued", o["status"]!.GetValue<string>()));
        Assert.Equal(missed, DateTimeOffset.Parse(occurrences[2]["at"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        var messageIds = occurrences.Select(o => o["messageId"]!.GetValue<string>()).ToList();
        Assert.Equal(3, messageIds.Distinct().Count());
        // Exactly one message per occurrence in the owner's history, each delivered once to each student.
        var ofSchedule = new List<string>();
        foreach (var m in await ada.Db.SortedSetRangeByRankAsync("sent:{admin}"))
        {
            var json = await ada.Db.StringGetAsync($"history:{{{m}}}");
            if (JsonNode.Parse(json.ToString())!["scheduleId"]?.GetValue<string>() == id)
            {
                ofSchedule.Add(m.ToString());
            }
        }
        Assert.Equal(messageIds.Order(StringComparer.Ordinal), ofSchedule.Order(StringComparer.Ordinal));
        foreach (var m in messageIds)
        {
            var history = await Eventually.WaitAsync(() => HistoryAsync(back, m), h => Stack.State(h) == "done",
                TimeSpan.FromSeconds(30), $"message {m} done");
            Assert.Equal(Students, Stack.Telegram(history)["sent"]!.GetValue<int>());
            Assert.Equal("schedule", history["origin"]!.GetValue<string>());
        }
        var inbox = await ada.InboxAsync(Text);
        ada.Log($"RESULT schedule: 3 occurrences, {ofSchedule.Count} messages, inbox {inbox.Count} (expected {3 * Students})");
        Assert.Equal(3 * Students, inbox.Count);
        Assert.All(inbox.GroupBy(m => m.ChatId), chat => Assert.Equal(3, chat.Count()));
        Assert.Equal(chats.Order(StringComparer.Ordinal), inbox.Select(m => m.ChatId).Distinct().Order(StringComparer.Ordinal));
    }

    private static HttpClient Client(ServiceProcess api)
    {
        var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Stack.AdminToken);
        return http;
    }

    private static async Task<JsonObject> HistoryAsync(ServiceProcess api, string id)
    {
        using var client = Client(api);
        return (await client.GetFromJsonAsync<JsonObject>($"/v1/history/{id}"))!;
    }

    /// <summary>Waits (through <paramref name="api"/>) until the schedule has <paramref name="count"/> occurrences; returns them, newest first.</summary>
    private static async Task<JsonArray> WaitOccurrencesAsync(Stack ada, ServiceProcess api, string id, int count)
    {
        using var client = Client(api);
        var schedule = await Eventually.WaitAsync(
            async () => (await client.GetFromJsonAsync<JsonObject>($"/v1/schedules/{id}"))!,
            s => s["occurrences"]!.AsArray().Count >= count,
            Occurrence, $"occurrence {count} of {id}");
        var occurrences = schedule["occurrences"]!.AsArray();
        Assert.Equal(count, occurrences.Count);
        ada.Log($"occurrence {count}: {occurrences[0]!.ToJsonString()}");
        return occurrences;
    }
}
