using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Ada.Sandbox.Email;

namespace Ada.Sandbox.Tests;

/// <summary>The sandbox's SMTP server as MailKit (the email courier's client) sees it, and its faults.</summary>
public sealed class SmtpServerTests
{
    [Fact]
    public async Task Send_KeepsEachRecipientsCopy_WithSubjectBodyAndMessageId_AndCountsIt()
    {
        await using var app = new SandboxApplication();
        using var smtp = await ConnectAsync(app);

        await smtp.SendAsync(Mail("ada.1@uni.example", "Пара отменена\nСегодня в 10:00", "a@uni.example", "b@uni.example"));
        await smtp.SendAsync(Mail("ada.2@uni.example", "Second", "a@uni.example"));

        var inbox = await app.ReadInboxAsync("?channel=email&chatId=a@uni.example");
        Assert.Equal(2, inbox.Total);
        var first = inbox.Messages[0];
        Assert.Equal(("a@uni.example", 1L, "ada.1@uni.example", "Пара отменена"), (first.ChatId, first.MessageId, first.ProviderMessageId, first.Subject));
        Assert.Equal("Пара отменена\nСегодня в 10:00", first.Text.TrimEnd().ReplaceLineEndings("\n"));
        Assert.Equal(2L, inbox.Messages[1].MessageId);
        Assert.Equal(1, (await app.ReadInboxAsync("?channel=email&chatId=b@uni.example")).Total);
        var stats = await StatsAsync(app);
        Assert.Equal((1L, 2L, 3L), (stats.Sessions, stats.Messages, stats.Sent));
    }

    [Fact]
    public async Task TemporaryFault_Answers451_ThenTheSameSessionSendsOnceItIsUsedUp()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/email/fault", new { mode = "temporary", count = 1 });
        using var smtp = await ConnectAsync(app);

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(Mail("ada.1@uni.example", "x", "a@uni.example")));
        Assert.Equal(451, (int)e.StatusCode);
        Assert.StartsWith("4.3.0", e.Message, StringComparison.Ordinal);
        await smtp.SendAsync(Mail("ada.1@uni.example", "x", "a@uni.example"));

        Assert.Equal(1, (await app.ReadInboxAsync("?channel=email")).Total);
        Assert.Equal((1L, 1L), ((await StatsAsync(app)).Deferred, (await StatsAsync(app)).Sessions));
    }

    [Fact]
    public async Task PermanentFault_Answers550_NamingTheRecipient_AndKeepsNothing()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/email/fault", new { mode = "permanent" });
        using var smtp = await ConnectAsync(app);

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(Mail("ada.1@uni.example", "x", "gone@uni.example")));

        Assert.Equal(550, (int)e.StatusCode);
        Assert.Equal("5.1.1 <gone@uni.example>: Recipient address rejected: User unknown in local recipient table", e.Message);
        Assert.Equal(0, (await app.ReadInboxAsync("?channel=email")).Total);
    }

    [Fact]
    public async Task DisconnectFault_ClosesTheConnectionWithoutAReply_AndKeepsNothing()
    {
        await using var app = new SandboxApplication();
        await app.PutAsync("/sandbox/email/fault", new { mode = "disconnect", count = 1 });
        using var smtp = await ConnectAsync(app);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => smtp.SendAsync(Mail("ada.1@uni.example", "x", "a@uni.example")));

        Assert.True(e is SmtpProtocolException or IOException, e.ToString());
        Assert.False(smtp.IsConnected);
        Assert.Equal(0, (await app.ReadInboxAsync("?channel=email")).Total);
        Assert.Equal(1L, (await StatsAsync(app)).Dropped);
    }

    [Theory]
    [InlineData("""{"mode":"slow"}""")]
    [InlineData("""{"mode":"temporary","count":0}""")]
    [InlineData("""{"mode":"temporary","forSeconds":-1}""")]
    public async Task Fault_Invalid_Returns400(string body)
    {
        await using var app = new SandboxApplication();
        using var http = app.CreateClient();

        using var response = await http.PutAsync("/sandbox/email/fault", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<SmtpClient> ConnectAsync(SandboxApplication app)
    {
        using var http = app.CreateClient();
        var server = (await http.GetFromJsonAsync<EmailServerView>("/sandbox/email"))!;
        var smtp = new SmtpClient { Timeout = 10_000 };
        await smtp.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);
        return smtp;
    }

    private static async Task<EmailCountersSnapshot> StatsAsync(SandboxApplication app)
    {
        using var http = app.CreateClient();
        return (await http.GetFromJsonAsync<SandboxStatsView>("/sandbox/stats"))!.Email;
    }

    private static MimeMessage Mail(string messageId, string text, params string[] to)
    {
        var mail = new MimeMessage { MessageId = messageId, Subject = text.Split('\n')[0], Body = new TextPart("plain") { Text = text } };
        mail.From.Add(MailboxAddress.Parse("noreply@uni.example"));
        foreach (var address in to)
        {
            mail.To.Add(MailboxAddress.Parse(address));
        }
        return mail;
    }
}
