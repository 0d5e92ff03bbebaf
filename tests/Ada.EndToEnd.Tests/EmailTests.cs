namespace Ada.EndToEnd.Tests;

/// <summary>Email through the whole of Ada: a directory with email contacts, a message queued at the API, the email courier, the sandbox's SMTP server.</summary>
[Collection(RedisCollection.Name)]
public sealed class EmailTests(RedisServer redis)
{
    [Fact]
    public async Task GroupMessage_ReachesEveryEmailContact_WithSubjectAndMessageId_AndTheReceiptsSayWhich()
    {
        await using var ada = await AdaStack.StartAsync(redis, couriers: 1, email: true);
        using var imported = await ada.Admin.PostAsJsonAsync("/v1/import", new
        {
            users = new object[]
            {
                new { id = "em-s1", name = "S1", role = "student", contacts = new { email = "S1@Students.Example.EDU" } },
                new { id = "em-s2", name = "S2", role = "student", contacts = new { email = "s2@students.example.edu", telegram = "7100002" } },
                new { id = "em-s3", name = "S3", role = "student", contacts = new { telegram = "7100003" } },
            },
            groups = new[] { new { id = "em-21", name = "EM-21", members = new[] { "em-s1", "em-s2", "em-s3" }, owners = Array.Empty<string>() } },
        });
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);

        const string text = "Консультация перенесена\nВ пятницу в 15:00, ауд. 214.";
        var id = await People.QueueNowAsync(ada.Admin, text, "em-21");
        var history = await People.WaitDoneAsync(ada, id);

        var email = history["channels"]!["email"]!;
        Assert.Equal((2, 1), (People.Count(email, "sent"), People.Count(email, "noContact")));
        var inbox = await ada.InboxAsync("email", null);
        Assert.Equal(["S1@students.example.edu", "s2@students.example.edu"], inbox.Select(m => m!["chatId"]!.GetValue<string>()).Order());
        Assert.All(inbox, m => Assert.Equal("Консультация перенесена", m!["subject"]!.GetValue<string>()));
        var receipts = await People.ReceiptsAsync(ada, id);
        var sent = receipts.Where(r => r!["channel"]!.GetValue<string>() == "email" && r["status"]!.GetValue<string>() == "sent")
            .ToDictionary(r => r!["userId"]!.GetValue<string>(), r => r!["providerMessageId"]!.GetValue<string>());
        Assert.Equal(2, sent.Count);
        var s1 = inbox.Single(m => m!["chatId"]!.GetValue<string>() == "S1@students.example.edu")!;
        Assert.Equal(sent["em-s1"], s1["providerMessageId"]!.GetValue<string>());
        Assert.EndsWith("@example.edu", sent["em-s1"], StringComparison.Ordinal);
    }
}
