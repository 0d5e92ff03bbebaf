using Xunit.Abstractions;

namespace Ada.Couriers.Email.Tests;

/// <summary>The email courier process against the sandbox's SMTP server process and a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class EmailCourierTests(RedisServer redis, ITestOutputHelper output)
{
    private const string Text = "Пара по матанализу переносится\nЗавтра в 10:00, ауд. 305. Не опаздывайте!";

    [Fact]
    public async Task Start_WithoutHost_RefusesAndNamesTheSetting()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("Ada.Couriers.Email",
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = redis.ConnectionString(redis.NextDatabase()),
                ["Email__From"] = EmailStack.From,
            }));

        Assert.Contains("Email__Host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_EachPersonGetsTheirOwnEmail_SubjectBodyAndMessageId_AllOverOneSmtpSession()
    {
        await using var ada = await EmailStack.StartAsync(redis);
        await ada.StartCourierAsync(new Dictionary<string, string> { ["Email__Concurrency"] = "1" });
        await ada.AddContactsAsync(300);

        var id = await ada.EnqueueAsync(EmailStack.Students(300), Text);

        var done = await ada.WaitDoneAsync(id);
        Assert.Equal((300, 0), (done.Channels[Channels.Email].Sent, done.Channels[Channels.Email].Failed));
        var inbox = await ada.InboxAsync();
        Assert.Equal(300, inbox.Count);
        Assert.Equal(300, inbox.Select(m => m.ChatId).Distinct().Count());
        var mail = Assert.Single(inbox, m => m.ChatId == EmailStack.AddressOf(7));
        Assert.Equal("Пара по матанализу переносится", mail.Subject);
        Assert.Equal(Text, mail.Text.TrimEnd('\r', '\n').ReplaceLineEndings("\n"));
        var messageId = EmailComposer.MessageId(id, EmailStack.AddressOf(7), EmailStack.Domain);
        Assert.Equal(messageId, mail.ProviderMessageId);
        var receipt = await ada.ReceiptAsync(id, "s7");
        Assert.Equal((ReceiptStatus.Sent, messageId), (receipt.Status, receipt.ProviderMessageId));
        var stats = await ada.StatsAsync();
        output.WriteLine($"sandbox: {stats}");
        Assert.Equal((1, 300), (stats.Sessions, stats.Messages));
    }

    [Fact]
    public async Task TemporaryFailure4xx_IsRetried_ThenDelivered_OnceEach()
    {
        await using var ada = await EmailStack.StartAsync(redis);
        await ada.StartCourierAsync();
        await ada.AddContactsAsync(5);
        await ada.SetFaultAsync("temporary", count: 3);

        var id = await ada.EnqueueAsync(EmailStack.Students(5), Text);

        var done = await ada.WaitDoneAsync(id);
        Assert.Equal((5, 0), (done.Channels[Channels.Email].Sent, done.Channels[Channels.Email].Failed));
        Assert.Equal(5, (await ada.InboxAsync()).Select(m => m.ChatId).Distinct().Count());
        Assert.Equal(5, (await ada.InboxAsync()).Count);
        var stats = await ada.StatsAsync();
        Assert.Equal((3, 5), (stats.Deferred, stats.Sent));
        var receipts = await Task.WhenAll(EmailStack.Students(5).Select(s => ada.ReceiptAsync(id, s)));
        Assert.Equal(8, receipts.Sum(r => r.Attempts ?? 1));
    }

    [Fact]
    public async Task PermanentFailure5xx_IsRecordedFailed_WithTheServersReply_AndTheContactDeactivated()
    {
        await using var ada = await EmailStack.StartAsync(redis);
        await ada.StartCourierAsync(new Dictionary<string, string> { ["Email__Concurrency"] = "1" });
        await ada.AddContactsAsync(3);
        await ada.SetFaultAsync("permanent", count: 1);

        var id = await ada.EnqueueAsync(EmailStack.Students(3), Text);

        var done = await ada.WaitDoneAsync(id);
        var section = done.Channels[Channels.Email];
        Assert.Equal((2, 1), (section.Sent, section.Failed));
        Assert.Equal(1, section.Errors["smtp_550"]);
        var receipts = await Task.WhenAll(EmailStack.Students(3).Select(s => ada.ReceiptAsync(id, s)));
        var failed = Assert.Single(receipts, r => r.Status == ReceiptStatus.Failed);
        Assert.StartsWith("550 5.1.1 <", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("User unknown", failed.Detail, StringComparison.Ordinal);
        Assert.False(await ada.Db.HashExistsAsync(Ada.Core.Keys.Contacts(Channels.Email), failed.UserId));
        Assert.Equal(2, (await ada.InboxAsync()).Count);
    }

    [Fact]
    public async Task DroppedConnection_IsRetriedOnANewConnection_AndDelivered()
    {
        await using var ada = await EmailStack.StartAsync(redis);
        await ada.StartCourierAsync(new Dictionary<string, string> { ["Email__Concurrency"] = "1" });
        await ada.AddContactsAsync(4);
        await ada.SetFaultAsync("disconnect", count: 1);

        var id = await ada.EnqueueAsync(EmailStack.Students(4), Text);

        var done = await ada.WaitDoneAsync(id);
        Assert.Equal((4, 0), (done.Channels[Channels.Email].Sent, done.Channels[Channels.Email].Failed));
        Assert.Equal(4, (await ada.InboxAsync()).Select(m => m.ChatId).Distinct().Count());
        var stats = await ada.StatsAsync();
        Assert.Equal(1, stats.Dropped);
        Assert.Equal(2, stats.Sessions);
        Assert.Equal(4, stats.Sent);
    }

    [Fact]
    public async Task CourierKilledMidMessage_NextCourierFinishes_DuplicatesOnlyOfTheBatchInFlight_WithTheSameMessageId()
    {
        const int recipients = 2_000;
        const int perSecond = 200;
        await using var ada = await EmailStack.StartAsync(redis);
        var paced = new Dictionary<string, string> { ["Email__MessagesPerSecond"] = perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var first = await ada.StartCourierAsync(paced);
        await ada.AddContactsAsync(recipients);

        var id = await ada.EnqueueAsync(EmailStack.Students(recipients), Text);
        await Eventually.WaitAsync(async () => (await ada.StatsAsync()).Sent >= recipients * 2 / 5,
            TimeSpan.FromSeconds(60), "the courier to be well into the message");
        first.Kill();
        var atKill = (await ada.StatsAsync()).Sent;
        await ada.StartCourierAsync(paced);

        var done = await ada.WaitDoneAsync(id, TimeSpan.FromSeconds(90));
        Assert.Equal((recipients, 0), (done.Channels[Channels.Email].Sent, done.Channels[Channels.Email].Failed));
        var inbox = await ada.InboxAsync();
        Assert.Equal(recipients, inbox.Select(m => m.ChatId).Distinct().Count());
        var duplicates = inbox.Count - recipients;
        output.WriteLine($"killed at {atKill} sent; inbox {inbox.Count}, duplicates {duplicates}");
        // A batch is about a second of sending (200 people); only its unreported sends can go out twice.
        Assert.InRange(duplicates, 0, perSecond);
        Assert.All(inbox.GroupBy(m => m.ChatId).Where(g => g.Count() > 1),
            copies => Assert.Single(copies.Select(m => m.ProviderMessageId).Distinct()));
    }
}
