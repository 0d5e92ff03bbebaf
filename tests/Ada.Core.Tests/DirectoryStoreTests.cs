namespace Ada.Core.Tests;

[Collection(RedisCollection.Name)]
public sealed class DirectoryStoreTests(RedisServer redis)
{
    [Fact]
    public async Task Import_CountsCreatedUpdatedAndUnchanged()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        User[] users = [Student("s1", "101"), Student("s2", "102"), Student("s3", "103")];
        Group[] groups = [new("g1", "Group 1", ["s1", "s2"], ["t1"]), new("g2", "Group 2", ["s3"], ["t1"])];
        Supergroup[] supergroups = [new("sg1", "Stream 1", ["g1", "g2"], ["t1"])];

        var first = await store.ImportAsync(users, groups, supergroups);
        var again = await store.ImportAsync(users, groups, supergroups);
        var changed = await store.ImportAsync(
            [users[0] with { Name = "Renamed" }, users[1], Student("s4", "104")],
            [groups[0] with { Members = ["s1", "s2", "s4"] }],
            []);

        // The counts, compared one by one: ImportResult also carries the demoted users (a list, compared by reference).
        Assert.Equal((new ImportCounts(3, 0, 0), new ImportCounts(2, 0, 0), new ImportCounts(1, 0, 0)), (first.Users, first.Groups, first.Supergroups));
        Assert.Equal((new ImportCounts(0, 0, 3), new ImportCounts(0, 0, 2), new ImportCounts(0, 0, 1)), (again.Users, again.Groups, again.Supergroups));
        Assert.Equal((new ImportCounts(1, 1, 1), new ImportCounts(0, 1, 0), new ImportCounts(0, 0, 0)), (changed.Users, changed.Groups, changed.Supergroups));
        Assert.Empty(changed.Demoted);
        Assert.Equal("Renamed", (await store.GetUserAsync("s1"))!.Name);
        Assert.Equal(["s1", "s2", "s4"], (await store.GetGroupAsync("g1"))!.Members);
        Assert.Equal(["g1", "g2"], (await store.GetSupergroupAsync("sg1"))!.Groups);
    }

    [Fact]
    public async Task Import_DryRun_CountsWhatWouldChangeAndWritesNothing()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync([Student("s1", "101")], [], []);

        var dry = await store.ImportAsync([Student("s1", "111"), Student("s2", "102")], [], [], dryRun: true);

        Assert.Equal(new ImportCounts(1, 1, 0), dry.Users);
        Assert.Equal("101", (await store.GetUserAsync("s1"))!.Contacts[Channels.Telegram]);
        Assert.Null(await store.GetUserAsync("s2"));
        Assert.Equal("s1", await store.FindByAddressAsync(Channels.Telegram, "101"));
        Assert.Null(await store.FindByAddressAsync(Channels.Telegram, "111"));
    }

    [Fact]
    public async Task Import_KeepsContactsHashOfEachChannel()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync(
        [
            Student("s1", "101") with { Contacts = new Dictionary<string, string> { [Channels.Telegram] = "101", [Channels.Vk] = "9001" } },
            Student("s2", "102"),
            new User("s3", "No contacts", Roles.Student, new Dictionary<string, string>(), []),
        ], [], []);

        await store.ImportAsync([Student("s1", "111")], [], []);

        var telegram = (await database.Db.HashGetAllAsync(Keys.Contacts(Channels.Telegram))).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal(new Dictionary<string, string> { ["s1"] = "111", ["s2"] = "102" }, telegram);
        Assert.False(await database.Db.KeyExistsAsync(Keys.Contacts(Channels.Vk)));
    }

    [Fact]
    public async Task DeactivateContact_RemovesContactAndMarksUserInactive()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync([Student("s1", "101"), Student("s2", "102")], [], []);

        var done = await store.DeactivateContactAsync(Channels.Telegram, "s1", "101");

        Assert.True(done);
        Assert.False(await database.Db.HashExistsAsync(Keys.Contacts(Channels.Telegram), "s1"));
        Assert.True(await database.Db.HashExistsAsync(Keys.Contacts(Channels.Telegram), "s2"));
        var user = (await store.GetUserAsync("s1"))!;
        Assert.Equal([Channels.Telegram], user.Inactive);
        Assert.Equal("101", user.Contacts[Channels.Telegram]);
    }

    [Fact]
    public async Task DeactivateContact_AddressChangedMeanwhile_LeavesContact()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync([Student("s1", "202")], [], []);

        var done = await store.DeactivateContactAsync(Channels.Telegram, "s1", "101");

        Assert.False(done);
        Assert.Equal("202", await database.Db.HashGetAsync(Keys.Contacts(Channels.Telegram), "s1"));
        Assert.Empty((await store.GetUserAsync("s1"))!.Inactive);
    }

    [Fact]
    public async Task Import_SameAddressAfterDeactivation_KeepsContactInactive()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync([Student("s1", "101")], [], []);
        await store.DeactivateContactAsync(Channels.Telegram, "s1", "101");

        await store.ImportAsync([Student("s1", "101") with { Name = "Renamed" }], [], []);

        Assert.False(await database.Db.HashExistsAsync(Keys.Contacts(Channels.Telegram), "s1"));
        var user = (await store.GetUserAsync("s1"))!;
        Assert.Equal([Channels.Telegram], user.Inactive);
        Assert.Equal("Renamed", user.Name);
    }

    [Fact]
    public async Task Import_NewAddressAfterDeactivation_ReactivatesContact()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync([Student("s1", "101")], [], []);
        await store.DeactivateContactAsync(Channels.Telegram, "s1", "101");

        await store.ImportAsync([Student("s1", "555")], [], []);

        Assert.Equal("555", await database.Db.HashGetAsync(Keys.Contacts(Channels.Telegram), "s1"));
        Assert.Empty((await store.GetUserAsync("s1"))!.Inactive);
    }

    [Fact]
    public async Task Expand_DeduplicatesUsersAcrossGroupsAndSupergroupsAndListsUnknownIds()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync(
            [Student("s1", "1"), Student("s2", "2"), Student("s3", "3"), Student("s4", "4"), Student("s5", "5")],
            [new("g1", "G1", ["s2", "s3"], []), new("g2", "G2", ["s3", "s4"], []), new("g3", "G3", ["s5", "s1"], [])],
            [new("sg1", "Stream", ["g2", "g3", "g-gone"], [])]);

        var expansion = await store.ExpandAsync(new Addressees(
            ["s1", "s1", "nobody"], ["g1", "g2", "g-missing"], ["sg1", "sg-missing"]));

        Assert.Equal(["s1", "s2", "s3", "s4", "s5"], expansion.Recipients);
        Assert.Equal(["nobody"], expansion.UnknownUsers);
        Assert.Equal(["g-missing"], expansion.UnknownGroups);
        Assert.Equal(["sg-missing"], expansion.UnknownSupergroups);
        Assert.True(expansion.HasUnknown);
        Assert.Equal(["g1", "g2"], expansion.Groups.Select(g => g.Id));
        Assert.Equal(["sg1"], expansion.Supergroups.Select(s => s.Id));
    }

    [Fact]
    public async Task Expand_KnownAddresseesOnly_HasNoUnknown()
    {
        await using var database = await TestDatabase.OpenAsync(redis);
        var store = Store(database);
        await store.ImportAsync([Student("s1", "1"), Student("s2", "2")], [new("g1", "G1", ["s2", "s1"], [])], []);

        var expansion = await store.ExpandAsync(new Addressees(["s2"], ["g1"], []));

        Assert.Equal(["s2", "s1"], expansion.Recipients);
        Assert.False(expansion.HasUnknown);
    }

    private static User Student(string id, string chatId) =>
        new(id, $"Student {id}", Roles.Student, new Dictionary<string, string> { [Channels.Telegram] = chatId }, []);

    private static DirectoryStore Store(TestDatabase database) => new(database.Mux, TestDatabase.Scripts);
}
