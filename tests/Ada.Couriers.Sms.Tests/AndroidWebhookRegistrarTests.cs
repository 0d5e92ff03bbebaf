namespace Ada.Couriers.Sms.Tests;

/// <summary>Webhook registration with the Android gateway: list first, add only what is missing.</summary>
public sealed class AndroidWebhookRegistrarTests
{
    private readonly StubHttp _http = new();
    private readonly List<JsonObject> _registered = [];

    public AndroidWebhookRegistrarTests() =>
        _http.Answer = call =>
        {
            if (call.Method == HttpMethod.Get)
            {
                return StubHttp.Json(HttpStatusCode.OK, new JsonArray([.. _registered.Select(w => w.DeepClone())]).ToJsonString());
            }
            var webhook = JsonNode.Parse(call.Body)!.AsObject();
            webhook["id"] = $"w{_registered.Count + 1}";
            _registered.Add(webhook);
            return StubHttp.Json(HttpStatusCode.Created, webhook.ToJsonString());
        };

    [Fact]
    public async Task Ensure_NothingRegistered_RegistersReportsAndInbound()
    {
        var added = await Registrar("https://ada.example.edu/").EnsureAsync(CancellationToken.None);

        Assert.Equal(4, added);
        Assert.Equal(
            [
                ("sms:sent", "https://ada.example.edu/v1/sms/reports"),
                ("sms:delivered", "https://ada.example.edu/v1/sms/reports"),
                ("sms:failed", "https://ada.example.edu/v1/sms/reports"),
                ("sms:received", "https://ada.example.edu/v1/sms/inbound"),
            ],
            _registered.Select(w => ((string)w["event"]!, (string)w["url"]!)));
        Assert.All(_http.Calls.Where(c => c.Method == HttpMethod.Post), c => Assert.Equal("/webhooks", c.Path));
    }

    [Fact]
    public async Task Ensure_Twice_RegistersEachOnce()
    {
        var registrar = Registrar("https://ada.example.edu");

        await registrar.EnsureAsync(CancellationToken.None);
        var again = await registrar.EnsureAsync(CancellationToken.None);

        Assert.Equal(0, again);
        Assert.Equal(4, _registered.Count);
    }

    [Fact]
    public async Task Ensure_SomeAlreadyThere_AddsTheRest()
    {
        _registered.Add(new JsonObject { ["id"] = "x", ["url"] = "https://ada.example.edu/v1/sms/reports", ["event"] = "sms:delivered" });
        _registered.Add(new JsonObject { ["id"] = "y", ["url"] = "https://elsewhere.example/hook", ["event"] = "sms:sent" });

        var added = await Registrar("https://ada.example.edu").EnsureAsync(CancellationToken.None);

        Assert.Equal(3, added);
        Assert.Single(_registered, w => (string)w["event"]! == "sms:delivered");
        Assert.Equal(2, _registered.Count(w => (string)w["event"]! == "sms:sent"));
    }

    [Fact]
    public async Task Ensure_GatewayUnreachable_Throws()
    {
        _http.Answer = _ => throw new HttpRequestException("No route to host");

        await Assert.ThrowsAsync<HttpRequestException>(() => Registrar("https://ada.example.edu").EnsureAsync(CancellationToken.None));
    }

    private AndroidWebhookRegistrar Registrar(string publicUrl)
    {
        var options = new SmsOptions { BaseUrl = "http://192.168.1.10:8080", Username = "sms", Password = "p", PublicUrl = publicUrl };
        var client = new AndroidGatewayClient(_http.Client("http://192.168.1.10:8080/"), options, NullLogger<AndroidGatewayClient>.Instance);
        return new AndroidWebhookRegistrar(client, Options.Create(options), TimeProvider.System, NullLogger<AndroidWebhookRegistrar>.Instance);
    }
}
