namespace Ada.Sandbox.Tests;

/// <summary>Issue 14, point 8: the sandbox's control API needs <c>Sandbox:ControlToken</c>; the providers' APIs do not.</summary>
public sealed class ControlTokenTests
{
    [Theory]
    [InlineData("")]
    [InlineData("short-token")]
    public async Task NoTokenOrAShortOne_StopsTheSandboxWithWhatToSet(string token)
    {
        await using var app = new SandboxApplication((ControlToken.Setting, token));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Sandbox__ControlToken", error.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> ControlCalls => new()
    {
        { "GET", "/sandbox/inbox" },
        { "DELETE", "/sandbox/inbox" },
        { "POST", "/sandbox/telegram/chats/5/messages" },
        { "POST", "/sandbox/vk/users/500008/deny" },
        { "POST", "/sandbox/sms/inbound" },
        { "GET", "/sandbox/telegram/chat/5" },
    };

    [Theory]
    [MemberData(nameof(ControlCalls))]
    public async Task ControlCall_WithoutTheToken_Is401AndChangesNothing(string method, string path)
    {
        await using var app = new SandboxApplication();
        await app.CreateBot().SendMessage(1, "kept");
        using var stranger = app.CreateClientWithoutControlToken();

        using var response = await stranger.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "GET" ? null : JsonContent.Create(new { text = "x", from = "+79990000001" }),
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Sandbox__ControlToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task ControlCall_WithAWrongToken_Is401()
    {
        await using var app = new SandboxApplication();
        using var stranger = app.CreateClientWithoutControlToken();
        stranger.DefaultRequestHeaders.Add(ControlToken.Header, "guess");

        using var response = await stranger.GetAsync("/sandbox/inbox");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ControlCall_WithTheToken_Works()
    {
        await using var app = new SandboxApplication();
        await app.CreateBot().SendMessage(1, "hello");
        using var http = app.CreateClientWithoutControlToken();
        http.DefaultRequestHeaders.Add(ControlToken.Header, SandboxApplication.ControlToken);

        using var inbox = await http.GetAsync("/sandbox/inbox");
        using var cleared = await http.DeleteAsync("/sandbox/inbox");

        Assert.Equal(HttpStatusCode.OK, inbox.StatusCode);
        Assert.Contains("hello", await inbox.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(cleared.IsSuccessStatusCode, $"{(int)cleared.StatusCode}");
        Assert.Equal(0, (await app.ReadInboxAsync()).Total);
    }

    [Fact]
    public async Task BrowserWithTheTokenInTheQueryOnce_KeepsItInACookie()
    {
        await using var app = new SandboxApplication();
        using var browser = app.CreateClientWithoutControlToken();

        using var first = await browser.GetAsync($"/sandbox/inbox?token={SandboxApplication.ControlToken}");
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        using var next = new HttpRequestMessage(HttpMethod.Get, "/sandbox/inbox");
        next.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var second = await browser.SendAsync(next);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task ProviderApi_NeedsNoControlToken()
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClientWithoutControlToken();
        var bot = new TelegramBotClient(new TelegramBotClientOptions(SandboxApplication.Token, http.BaseAddress!.ToString()), http);

        await bot.SendMessage(7, "via the Bot API");

        Assert.Equal(1, (await app.ReadInboxAsync("?chatId=7")).Total);
        using var health = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}

/// <summary>Issue 14, point 8: a channel left out of <c>Sandbox:Channels</c> is not imitated at all.</summary>
public sealed class SandboxChannelsTests
{
    [Fact]
    public async Task ChannelLeftOut_HasNoProviderEndpoints_OthersStillWork()
    {
        await using var app = new SandboxApplication(("Sandbox:Channels", "vk,sms"));
        using var http = app.CreateClient();

        using var botApi = await http.PostAsJsonAsync($"/bot{SandboxApplication.Token}/sendMessage", new { chat_id = 1, text = "x" });
        using var chat = await http.GetAsync("/sandbox/telegram/chat/1");
        using var email = await http.GetAsync("/sandbox/email");
        using var inbox = await http.GetAsync("/sandbox/inbox");

        Assert.Equal(HttpStatusCode.NotFound, botApi.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, chat.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, email.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inbox.StatusCode);
    }

    [Fact]
    public async Task UnknownChannel_StopsTheSandboxWithWhatToSet()
    {
        await using var app = new SandboxApplication(("Sandbox:Channels", "telegram,fax"));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Sandbox__Channels", error.ToString(), StringComparison.Ordinal);
    }
}
