namespace Ada.Couriers.Sms.Tests;

/// <summary>The courier as the process it runs as: configuration checks at start, limits and heartbeat.</summary>
[Collection(RedisCollection.Name)]
public sealed class SmsCourierProcessTests(RedisServer redis)
{
    [Fact]
    public async Task Start_AndroidGatewayWithoutItsSettings_RefusesSayingWhatToSet()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.StartAsync("Ada.Couriers.Sms", Environment(("Sms__Provider", "android-gateway"))));

        Assert.Contains("Sms__BaseUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sms__Username", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SmsRuWithoutApiId_RefusesSayingWhatToSet()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.StartAsync("Ada.Couriers.Sms", Environment(("Sms__Provider", "smsru"))));

        Assert.Contains("Sms__ApiId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownProvider_Refuses()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.StartAsync("Ada.Couriers.Sms", Environment(("Sms__Provider", "twilio"), ("Sms__ApiId", "k"))));

        Assert.Contains("'android-gateway' or 'smsru'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PublishesTheSegmentCapAndBeats_WithoutEchoingSecrets()
    {
        await using var test = await TestDatabase.OpenAsync(redis);
        await using var courier = await ServiceProcess.StartAsync("Ada.Couriers.Sms", Environment(test,
            ("Sms__Provider", "android-gateway"), ("Sms__BaseUrl", "http://127.0.0.1:9"),
            ("Sms__Username", "sms"), ("Sms__Password", "pa55-w0rd-secret"), ("Sms__MaxSegments", "4"),
            ("Sms__PublicUrl", "http://127.0.0.1:9/ada")));

        var limits = await Eventually.WaitAsync(async () => (await test.Db.StringGetAsync(Keys.ChannelLimits("sms"))).ToString(),
            json => json.Length > 0, TimeSpan.FromSeconds(10), "limits:sms");
        Assert.Equal(4, (int)JsonNode.Parse(limits)!["maxSmsSegments"]!);
        await Eventually.WaitAsync(async () => await test.Db.SortedSetLengthAsync(Keys.Couriers("sms")) == 1,
            TimeSpan.FromSeconds(10), "the courier's heartbeat");
        // The unreachable gateway is logged and retried; the courier stays up.
        await Eventually.WaitAsync(() => Task.FromResult(courier.Output.Contains("Could not register the webhooks", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the failed webhook registration in the log");
        Assert.False(courier.HasExited);
        Assert.DoesNotContain("pa55-w0rd-secret", courier.Output, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment(params (string Key, string Value)[] settings) =>
        Environment(null, settings);

    private Dictionary<string, string> Environment(TestDatabase? test, params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = test?.ConnectionString ?? redis.ConnectionString(redis.NextDatabase()),
            ["Courier__HeartbeatSeconds"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        return environment;
    }
}
