namespace Ada.Api.Tests;

/// <summary><c>POST /v1/queue</c> with what the SMS channel brought: channels' published limits (segments) and <c>channels</c>.</summary>
[Collection(RedisCollection.Name)]
public sealed class SmsQueueTests(RedisServer redis) : ApiTest(redis)
{
    private async Task SmsAliveAsync(ChannelLimits limits)
    {
        var registry = App.Services.GetRequiredService<CourierRegistry>();
        await registry.BeatAsync(Channels.Sms, "test-sms");
        await registry.PublishLimitsAsync(Channels.Sms, limits);
        await App.SeedAsync();
    }

    private static string Body(string text, string extra = "") =>
        JsonSerializer.Serialize(new { text, to = new { users = new[] { "u1" } } })[..^1] + extra + "}";

    [Fact]
    public async Task Queue_TextOverTheSmsSegmentCap_Returns400NamingCountCapAndEncodingAndWritesNothing()
    {
        await SmsAliveAsync(new ChannelLimits(MaxSmsSegments: 3));

        using var response = await Admin.PostAsync("/v1/queue", Json(Body(new string('ж', 250))));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var detail = Detail(problem);
        Assert.Contains("4 SMS segments in UCS-2", detail, StringComparison.Ordinal);
        Assert.Contains("at most 3 segments", detail, StringComparison.Ordinal);
        Assert.Equal(4, problem.GetProperty("segments").GetInt32());
        Assert.Equal(3, problem.GetProperty("maxSegments").GetInt32());
        Assert.Equal("UCS-2", problem.GetProperty("encoding").GetString());
        Assert.Equal("too_many_segments", problem.GetProperty("reason").GetString());
        Assert.Equal("Текст займёт 4 SMS, а можно не больше 3. В SMS с кириллицей 67 знаков. Сократите текст.",
            problem.GetProperty("message").GetString());
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_WithinTheCap_RecordsSegmentsInTheAnswerAndTheHistory()
    {
        await SmsAliveAsync(new ChannelLimits(MaxSmsSegments: 3));

        using var response = await Admin.PostAsync("/v1/queue", Json(Body(new string('a', 200))));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await ReadJsonAsync(response);
        Assert.Equal(2, answer.GetProperty("segments").GetProperty("sms").GetInt32());
        var history = JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History(answer.GetProperty("id").GetString()!))).ToString()).RootElement;
        Assert.Equal(2, history.GetProperty("segments").GetProperty("sms").GetInt32());
        Assert.False(history.TryGetProperty("shortId", out _));
    }

    [Fact]
    public async Task Queue_LongTextWithChannelsLeavingSmsOut_IsAccepted()
    {
        await SmsAliveAsync(new ChannelLimits(MaxSmsSegments: 1));

        using var response = await Admin.PostAsync("/v1/queue", Json(Body(new string('ж', 250), ""","channels":["telegram"]""")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await ReadJsonAsync(response);
        Assert.Equal(["telegram"], answer.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.False(answer.TryGetProperty("segments", out _));
    }

    [Fact]
    public async Task Queue_ChannelsSms_ExpectsOnlySms()
    {
        await SmsAliveAsync(new ChannelLimits());

        using var response = await Admin.PostAsync("/v1/queue", Json(Body("hi", ""","channels":["SMS"]""")));

        var answer = await ReadJsonAsync(response);
        var history = JsonDocument.Parse((await App.Db.StringGetAsync(Keys.History(answer.GetProperty("id").GetString()!))).ToString()).RootElement;
        Assert.Equal(["sms"], history.GetProperty("expectedChannels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["sms"], history.GetProperty("channels").EnumerateObject().Select(c => c.Name));
    }

    [Theory]
    [InlineData(""","channels":["pigeon"]""", "'channels[0]'")]
    [InlineData(""","channels":[]""", "'channels'")]
    [InlineData(""","channels":[null]""", "'channels[0]'")]
    public async Task Queue_BadChannels_Returns400(string channels, string field)
    {
        await SmsAliveAsync(new ChannelLimits());

        using var response = await Admin.PostAsync("/v1/queue", Json(Body("hi", channels)));

        Assert.Contains(field, Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_ChannelsNeverRegistered_Returns409()
    {
        await SmsAliveAsync(new ChannelLimits());

        using var response = await Admin.PostAsync("/v1/queue", Json(Body("hi", ""","channels":["vk"]""")));

        Assert.Contains("registered: telegram, sms", Detail(await ProblemAsync(response, HttpStatusCode.Conflict)), StringComparison.Ordinal);
        await AssertNothingQueuedAsync(App);
    }

    [Fact]
    public async Task Queue_TextOverAChannelsMaxTextLength_Returns400()
    {
        await SmsAliveAsync(new ChannelLimits());
        await App.Services.GetRequiredService<CourierRegistry>().PublishLimitsAsync(Channels.Telegram, new ChannelLimits(MaxTextLength: 10));

        using var response = await Admin.PostAsync("/v1/queue", Json(Body("eleven char")));

        Assert.Contains("the telegram channel takes at most 10", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_SameIdSameChannels_IsASafeRetry()
    {
        await SmsAliveAsync(new ChannelLimits());
        var body = Body("hi", ""","id":"admin:1","channels":["sms","telegram"]""");

        using var first = await Admin.PostAsync("/v1/queue", Json(body));
        using var again = await Admin.PostAsync("/v1/queue", Json(Body("hi", ""","id":"admin:1","channels":["telegram","sms"]""")));
        using var other = await Admin.PostAsync("/v1/queue", Json(Body("hi", ""","id":"admin:1","channels":["sms"]""")));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await ProblemAsync(other, HttpStatusCode.Conflict);
    }
}
