namespace Ada.Api.Tests;

/// <summary>Issue 11: the channel registry (a channel whose courier is down is kept, the message waits) and expiry.</summary>
[Collection(RedisCollection.Name)]
public sealed class ChannelsTests(RedisServer redis) : ApiTest(redis)
{
    /// <summary>
    /// The Telegram courier's last beat a minute ago: registered, not alive. Written behind the registry's back, so
    /// it is read afresh: the API caches what it read for a second (the channel watch reads at start).
    /// </summary>
    private async Task TelegramCourierDownAsync()
    {
        await App.Db.SortedSetAddAsync(Keys.Couriers(Channels.Telegram), "test", DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());
        await App.Services.GetRequiredService<CourierRegistry>().ChannelsAsync(fresh: true);
    }

    [Fact]
    public async Task Queue_RegisteredChannelWhoseCourierIsDown_Accepts_HistorySaysItWaits_ClaimClearsIt()
    {
        await App.SeedAsync();
        await TelegramCourierDownAsync();

        using var response = await Admin.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]}}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await ReadJsonAsync(response);
        Assert.Equal(["telegram"], answer.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["telegram"], answer.GetProperty("waiting").EnumerateArray().Select(c => c.GetString()));
        var id = answer.GetProperty("id").GetString()!;
        var history = await App.Services.GetRequiredService<MessageStore>().GetHistoryAsync(id);
        Assert.Equal(ChannelSection.WaitingForCourier, history!.Channels[Channels.Telegram].WaitingFor);
        using (var ready = await Admin.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // A courier comes back and claims it: the channel no longer waits.
        Assert.Equal("ok", await Courier.ClaimAsync(App, id));
        history = await App.Services.GetRequiredService<MessageStore>().GetHistoryAsync(id);
        Assert.Null(history!.Channels[Channels.Telegram].WaitingFor);
        Assert.Equal(ChannelStates.Sending, history.Channels[Channels.Telegram].State);
    }

    [Fact]
    public async Task Channels_ListsEachChannelWithInstancesLastBeatAndLimits_OutageShown()
    {
        var registry = App.Services.GetRequiredService<CourierRegistry>();
        await registry.BeatAsync(Channels.Sms, "sms-1", new ChannelLimits(MaxSmsSegments: 3));
        await registry.BeatAsync(Channels.Sms, "sms-2", new ChannelLimits(MaxSmsSegments: 3));
        await TelegramCourierDownAsync();
        var (teacher, _, student) = await App.SeedAsync();

        using var teacherClient = App.Client(teacher);
        var channels = await ReadJsonAsync(await teacherClient.GetAsync("/v1/channels"));

        var byName = channels.EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["telegram", "sms"], byName.Keys);
        Assert.False(byName["telegram"].GetProperty("live").GetBoolean());
        Assert.Equal(0, byName["telegram"].GetProperty("instances").GetInt32());
        var lastSeen = DateTimeOffset.Parse(byName["telegram"].GetProperty("lastSeen").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - lastSeen, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(90));
        Assert.True(byName["sms"].GetProperty("live").GetBoolean());
        Assert.Equal(2, byName["sms"].GetProperty("instances").GetInt32());
        Assert.Equal(3, byName["sms"].GetProperty("limits").GetProperty("maxSmsSegments").GetInt32());

        using var studentClient = App.Client(student);
        Assert.Equal(HttpStatusCode.Forbidden, (await studentClient.GetAsync("/v1/channels")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client(null).GetAsync("/v1/channels")).StatusCode);
    }

    [Fact]
    public async Task RetireChannel_AdminOnly_RefusedWhileACourierIsAlive_ThenMessagesNoLongerExpectIt()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var teacherClient = App.Client(teacher);
        await ProblemAsync(await teacherClient.DeleteAsync("/v1/channels/telegram"), HttpStatusCode.Forbidden);
        var live = Detail(await ProblemAsync(await Admin.DeleteAsync("/v1/channels/telegram"), HttpStatusCode.Conflict));
        Assert.Contains("1 courier instance(s) alive", live, StringComparison.Ordinal);
        Assert.Contains("no channel", Detail(await ProblemAsync(await Admin.DeleteAsync("/v1/channels/pigeon"), HttpStatusCode.NotFound)),
            StringComparison.OrdinalIgnoreCase);

        await TelegramCourierDownAsync();
        using var retired = await Admin.DeleteAsync("/v1/channels/telegram");

        Assert.Equal(HttpStatusCode.NoContent, retired.StatusCode);
        Assert.Empty((await ReadJsonAsync(await Admin.GetAsync("/v1/channels"))).EnumerateArray());
        using var queue = await Admin.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]}}"""));
        Assert.Contains("no courier is running", Detail(await ProblemAsync(queue, HttpStatusCode.Conflict)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Queue_WithExpiresAt_RecordsItInTheHistoryAndTheAnswer()
    {
        await App.SeedAsync();
        var sendAt = DateTimeOffset.UtcNow.AddHours(1);
        var expiresAt = sendAt.AddMinutes(20);

        using var response = await Admin.PostAsync("/v1/queue", Json(
            $$"""{"text":"Lecture in 20 minutes moved","to":{"users":["u1"]},"sendAt":"{{Iso(sendAt)}}","expiresAt":"{{Iso(expiresAt)}}"}"""));

        var answer = await ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(AdaJson.Timestamp(expiresAt), answer.GetProperty("expiresAt").GetString());
        var history = await App.Services.GetRequiredService<MessageStore>().GetHistoryAsync(answer.GetProperty("id").GetString()!);
        Assert.Equal((AdaJson.Timestamp(expiresAt), expiresAt.ToUnixTimeMilliseconds()), (history!.ExpiresAt, history.ExpiresAtMs));
    }

    [Theory]
    [InlineData(-60, null, "has passed")]
    [InlineData(30, 60, "is not after the delivery time")]
    [InlineData(60, 60, "is not after the delivery time")]
    [InlineData(null, null, "ISO-8601")]
    public async Task Queue_ExpiresAtNotAfterDelivery_Returns400AndWritesNothing(int? expiresInMinutes, int? sendInMinutes, string expected)
    {
        await App.SeedAsync();
        var now = DateTimeOffset.UtcNow;
        var expires = expiresInMinutes is { } e ? Iso(now.AddMinutes(e)) : "tomorrow";
        var sendAt = sendInMinutes is { } s ? $",\"sendAt\":\"{Iso(now.AddMinutes(s))}\"" : "";

        using var response = await Admin.PostAsync("/v1/queue", Json(
            $$"""{"text":"hi","to":{"users":["u1"]},"expiresAt":"{{expires}}"{{sendAt}}}"""));

        Assert.Contains(expected, Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_DefaultExpiry_AppliesWhenNoneIsGiven()
    {
        var app = await NewAppAsync(new Dictionary<string, string?> { ["Scheduling:DefaultExpiryMinutes"] = "90" });
        await app.SeedAsync();
        await App.SeedAsync();
        using var admin = app.Client();

        var answer = await ReadJsonAsync(await admin.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]}}""")));

        var deliverAt = DateTimeOffset.Parse(answer.GetProperty("deliverAt").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(AdaJson.Timestamp(deliverAt.AddMinutes(90)), answer.GetProperty("expiresAt").GetString());
        Assert.False((await ReadJsonAsync(await Admin.PostAsync("/v1/queue", Json("""{"text":"hi","to":{"users":["u1"]}}"""))))
            .TryGetProperty("expiresAt", out _), "no default expiry unless configured");
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
