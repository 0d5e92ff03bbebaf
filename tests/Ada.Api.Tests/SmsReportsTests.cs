namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class SmsReportsTests(RedisServer redis) : SmsApiTest(redis)
{
    /// <summary>
    /// A message to u1 and u2 sent by the SMS courier: receipts `sent`; provider ids as the courier keeps them for the
    /// Android gateway (gw-2:+79991110002 for u2) and a bare gateway id (gw-1 for u1).
    /// </summary>
    private async Task<(AdaApplication App, SmsGatewayClient Gateway, string Id)> SentAsync()
    {
        var (app, gateway) = (App, Gateway);
        using var admin = app.Client();
        var id = await QueueAsync(admin, """{"text":"hi","to":{"users":["u1","u2"]},"channels":["sms"]}""");
        Assert.Equal("ok", await Courier.ClaimAsync(app, id, Channels.Sms));
        Assert.Equal("ok", await Courier.ReportAsync(app, id, ["u1", "u2"], Channels.Sms));
        var store = app.Services.GetRequiredService<CourierStore>();
        await store.RememberProviderIdAsync(Channels.Sms, "gw-1", id, "u1");
        await store.RememberProviderIdAsync(Channels.Sms, SmsProviderIds.AndroidGateway("gw-2", "+79991110002"), id, "u2");
        return (app, gateway, id);
    }

    private static string Report(string @event, string messageId, string phone, string? reason = null, string? id = null) =>
        SmsGatewayClient.Envelope(@event, new { messageId, phoneNumber = phone, simNumber = (int?)null, reason }, id);

    private static async Task<string> OutcomeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("outcome").GetString()!;
    }

    private static async Task<JsonElement> SmsSectionAsync(AdaApplication app, string id) =>
        JsonDocument.Parse((await app.Db.StringGetAsync(Keys.History(id))).ToString()).RootElement.GetProperty("channels").GetProperty("sms").Clone();

    private static async Task<JsonElement> ReceiptAsync(AdaApplication app, string id, string userId) =>
        JsonDocument.Parse((await app.Db.HashGetAsync(Keys.Receipts(id), $"sms:{userId}")).ToString()).RootElement.Clone();

    [Fact]
    public async Task Reports_DeliveredAndFailed_MoveTheReceiptsAndTheCounts()
    {
        var (app, gateway, id) = await SentAsync();

        using var sent = await gateway.PostAsync("/v1/sms/reports", Report("sms:sent", "gw-1", "+79991110001"));
        Assert.Equal("ignored", await OutcomeAsync(sent));
        using var delivered = await gateway.PostAsync("/v1/sms/reports", Report("sms:delivered", "gw-1", "89991110001"));
        Assert.Equal("updated", await OutcomeAsync(delivered));
        using var failed = await gateway.PostAsync("/v1/sms/reports", Report("sms:failed", "gw-2", "8 999 111-00-02", "RESULT_ERROR_GENERIC_FAILURE"));
        Assert.Equal("updated", await OutcomeAsync(failed));

        Assert.Equal("delivered", (await ReceiptAsync(app, id, "u1")).GetProperty("status").GetString());
        var u2 = await ReceiptAsync(app, id, "u2");
        Assert.Equal("failed", u2.GetProperty("status").GetString());
        Assert.Equal("RESULT_ERROR_GENERIC_FAILURE", u2.GetProperty("detail").GetString());
        var section = await SmsSectionAsync(app, id);
        Assert.Equal(1, section.GetProperty("sent").GetInt32());
        Assert.Equal(1, section.GetProperty("failed").GetInt32());
        Assert.Equal(1, section.GetProperty("delivered").GetInt32());
        Assert.Equal(1, section.GetProperty("errors").GetProperty("undelivered").GetInt32());

        // A second report about the same SMS (another envelope) changes nothing.
        using var late = await gateway.PostAsync("/v1/sms/reports", Report("sms:failed", "gw-1", "+79991110001", "late"));
        Assert.Equal("unchanged", await OutcomeAsync(late));
        Assert.Equal(1, (await SmsSectionAsync(app, id)).GetProperty("sent").GetInt32());
    }

    [Fact]
    public async Task Reports_UnknownGatewayId_AnswersOk()
    {
        var (_, gateway, _) = await SentAsync();

        using var response = await gateway.PostAsync("/v1/sms/reports", Report("sms:delivered", "gw-unknown", "+79991110001"));

        Assert.Equal("unknown_message", await OutcomeAsync(response));
    }

    [Fact]
    public async Task Reports_BeforeTheCourierWroteTheReceipt_Returns409AndTheRetryApplies()
    {
        var (app, gateway) = (App, Gateway);
        using var admin = app.Client();
        var id = await QueueAsync(admin, """{"text":"hi","to":{"users":["u1"]},"channels":["sms"]}""");
        Assert.Equal("ok", await Courier.ClaimAsync(app, id, Channels.Sms));
        await app.Services.GetRequiredService<CourierStore>().RememberProviderIdAsync(Channels.Sms, SmsProviderIds.AndroidGateway("gw-9", "+79991110001"), id, "u1");
        var report = Report("sms:delivered", "gw-9", "79991110001", id: "early-envelope");

        using var early = await gateway.PostAsync("/v1/sms/reports", report);
        await ProblemAsync(early, HttpStatusCode.Conflict);

        Assert.Equal("ok", await Courier.ReportAsync(app, id, ["u1"], Channels.Sms));
        using var retry = await gateway.PostAsync("/v1/sms/reports", report);
        Assert.Equal("updated", await OutcomeAsync(retry));
        Assert.Equal("delivered", (await ReceiptAsync(app, id, "u1")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reports_Replay_ActsOnce()
    {
        var (app, gateway, id) = await SentAsync();
        var report = Report("sms:failed", "gw-1", "+79991110001", "no signal", id: "failed-envelope");

        using var first = await gateway.PostAsync("/v1/sms/reports", report);
        using var again = await gateway.PostAsync("/v1/sms/reports", report);

        Assert.Equal("updated", await OutcomeAsync(first));
        Assert.Equal("replayed", await OutcomeAsync(again));
        Assert.Equal(1, (await SmsSectionAsync(app, id)).GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task Reports_BadSignatureOrStaleTimestamp_Returns401AndChangesNothing()
    {
        var (app, gateway, id) = await SentAsync();
        var report = Report("sms:delivered", "gw-1", "+79991110001");
        var stale = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var unsigned = await gateway.PostAsync("/v1/sms/reports", report, signature: new string('0', 64));
        await ProblemAsync(unsigned, HttpStatusCode.Unauthorized);
        using var old = await gateway.PostAsync("/v1/sms/reports", report, stale);
        await ProblemAsync(old, HttpStatusCode.Unauthorized);

        Assert.Equal("sent", (await ReceiptAsync(app, id, "u1")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reports_ReceivedEvent_Returns400()
    {
        var (_, gateway, _) = await SentAsync();

        using var response = await gateway.PostAsync("/v1/sms/reports", SmsGatewayClient.Received("+79990000001", "hi"));

        Assert.Contains("/v1/sms/inbound", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
    }
}
