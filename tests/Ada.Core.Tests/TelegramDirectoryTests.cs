namespace Ada.Core.Tests;

/// <summary>lua/link_telegram.lua and lua/lease.lua against a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class TelegramDirectoryTests(RedisServer redis)
{
    private static User Student(string id, Dictionary<string, string>? contacts = null, IReadOnlyList<string>? inactive = null) =>
        new(id, $"Student {id}", Roles.Student, contacts ?? [], inactive ?? []);

    [Fact]
    public async Task Link_AttachesTheChatActive_UsesTheCodeUp_AndTakesTheChatFromItsPreviousOwner()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var directory = new DirectoryStore(database.Mux, TestDatabase.Scripts);
        var telegram = new TelegramDirectory(directory);
        var codes = new LinkCodeStore(database.Mux);
        await directory.ImportAsync([
            Student("old", new() { [Channels.Telegram] = "555" }),
            Student("new", new() { [Channels.Telegram] = "777" }, [Channels.Telegram]),
        ], [], []);

        var code = await codes.IssueAsync("new", TimeSpan.FromMinutes(5));
        var result = await telegram.LinkAsync(code, 555);

        Assert.Equal(new LinkResult(LinkOutcome.Moved, "new", "old"), result);
        var linked = (await directory.GetUserAsync("new"))!;
        Assert.Equal("555", linked.Contacts[Channels.Telegram]);
        Assert.Empty(linked.Inactive);
        Assert.False((await directory.GetUserAsync("old"))!.Contacts.ContainsKey(Channels.Telegram));
        Assert.Equal("555", (string?)await database.Db.HashGetAsync(Keys.Contacts(Channels.Telegram), "new"));
        Assert.False(await database.Db.HashExistsAsync(Keys.Contacts(Channels.Telegram), "old"));
        Assert.Equal("new", (await telegram.OwnerAsync(555))!.Id);
        Assert.Null(await telegram.OwnerAsync(777));
        Assert.Equal(LinkOutcome.Unknown, (await telegram.LinkAsync(code, 999)).Outcome);
        Assert.Null(await telegram.OwnerAsync(999));
    }

    [Fact]
    public async Task StopAndStart_TurnTheContactOffAndOn()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var directory = new DirectoryStore(database.Mux, TestDatabase.Scripts);
        var telegram = new TelegramDirectory(directory);
        await directory.ImportAsync([Student("s1", new() { [Channels.Telegram] = "4242" })], [], []);

        Assert.True(await telegram.DeactivateAsync("s1", 4242));
        Assert.Equal([Channels.Telegram], (await directory.GetUserAsync("s1"))!.Inactive);
        Assert.False(await database.Db.HashExistsAsync(Keys.Contacts(Channels.Telegram), "s1"));
        Assert.Equal("s1", (await telegram.OwnerAsync(4242))!.Id);

        Assert.True(await telegram.ActivateAsync("s1", 4242));
        Assert.Empty((await directory.GetUserAsync("s1"))!.Inactive);
        Assert.True(await database.Db.HashExistsAsync(Keys.Contacts(Channels.Telegram), "s1"));
    }

    [Fact]
    public async Task Lease_HasOneHolder_IsRenewedByIt_AndIsTakenOverWhenGivenBackOrLapsed()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var key = (RedisKey)"lease-test";
        var a = new RedisLease(database.Mux, TestDatabase.Scripts, key, "a");
        var b = new RedisLease(database.Mux, TestDatabase.Scripts, key, "b");

        Assert.True(await a.HoldAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await b.HoldAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await a.HoldAsync(TimeSpan.FromSeconds(30)));
        await b.ReleaseAsync();
        Assert.Equal("a", (string?)await database.Db.StringGetAsync(key));

        await a.ReleaseAsync();
        Assert.True(await b.HoldAsync(TimeSpan.FromMilliseconds(200)));
        Assert.False(await a.HoldAsync(TimeSpan.FromSeconds(30)));
        await Eventually.WaitAsync(() => a.HoldAsync(TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(10), "the lapsed lease to be taken over");
        Assert.Equal("a", (string?)await database.Db.StringGetAsync(key));
    }
}
