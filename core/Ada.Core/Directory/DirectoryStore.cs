using Ada.Core.Messages;
using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Core.Directory;

/// <summary>
/// The directory (people, groups, supergroups) in Redis, Ada's only database.
/// A user is a JSON document at <c>user:{id}</c>; each channel's active addresses are also kept in
/// one hash <c>contacts:&lt;channel&gt;</c> so a courier reads a thousand of them in one command.
/// </summary>
public sealed class DirectoryStore(IConnectionMultiplexer mux, AdaScripts scripts)
{
    /// <summary>Channels whose addresses are also indexed address → user id (<c>address:&lt;channel&gt;</c>): people write to Ada there.</summary>
    public static readonly IReadOnlyList<string> AddressIndexed = [Channels.Telegram, Channels.Vk, Channels.Sms];

    private IDatabase Db => mux.GetDatabase();

    public async Task<User?> GetUserAsync(string id) => Parse<User>(await Db.StringGetAsync(Keys.User(id)));

    public async Task<Group?> GetGroupAsync(string id) => Parse<Group>(await Db.StringGetAsync(Keys.Group(id)));

    public async Task<Supergroup?> GetSupergroupAsync(string id) =>
        Parse<Supergroup>(await Db.StringGetAsync(Keys.Supergroup(id)));

    public async Task<IReadOnlyList<string>> MissingUsersAsync(IEnumerable<string> ids) =>
        await MissingAsync(ids, Keys.User);

    public async Task<IReadOnlyList<string>> MissingGroupsAsync(IEnumerable<string> ids) =>
        await MissingAsync(ids, Keys.Group);

    /// <summary>Writes a user. A contact that was marked inactive stays inactive while its address is unchanged.</summary>
    public async Task<bool> PutUserAsync(User user)
    {
        var result = await ImportAsync([user], [], []);
        return result.Users.Created == 1;
    }

    public async Task<bool> PutGroupAsync(Group group)
    {
        var result = await ImportAsync([], [group], []);
        return result.Groups.Created == 1;
    }

    public async Task<bool> PutSupergroupAsync(Supergroup supergroup)
    {
        var result = await ImportAsync([], [], [supergroup]);
        return result.Supergroups.Created == 1;
    }

    /// <summary>
    /// Writes everything in one MULTI/EXEC: all of it lands, or none of it. With <paramref name="dryRun"/>,
    /// only counts what would be created, updated and unchanged (the transaction is never executed).
    /// </summary>
    public async Task<ImportResult> ImportAsync(
        IReadOnlyList<User> users, IReadOnlyList<Group> groups, IReadOnlyList<Supergroup> supergroups, bool dryRun = false)
    {
        var db = Db;
        var oldUsers = await ReadManyAsync(db, users.Select(u => Keys.User(u.Id)));
        var oldGroups = await ReadManyAsync(db, groups.Select(g => Keys.Group(g.Id)));
        var oldSupergroups = await ReadManyAsync(db, supergroups.Select(s => Keys.Supergroup(s.Id)));

        var previousUsers = oldUsers.Select(Parse<User>).ToList();
        // A dry run only counts: the index entries it would drop need not be read.
        var unindex = dryRun ? [] : await AddressesToUnindexAsync(db, users, previousUsers);

        var tx = db.CreateTransaction();
        // Index removals go first, so an address that moves to another user of this import keeps its new entry.
        foreach (var (channel, address) in unindex)
        {
            _ = tx.HashDeleteAsync(Keys.AddressOwners(channel), address);
        }
        var userCounts = new Counter();
        for (var i = 0; i < users.Count; i++)
        {
            var previous = previousUsers[i];
            var user = users[i] with { Inactive = StillInactive(previous, users[i]) };
            var json = AdaJson.Serialize(user);
            userCounts.Count(oldUsers[i], json);
            _ = tx.StringSetAsync(Keys.User(user.Id), json);
            foreach (var channel in Channels.All)
            {
                if (user.Contacts.TryGetValue(channel, out var address) && !user.Inactive.Contains(channel))
                {
                    _ = tx.HashSetAsync(Keys.Contacts(channel), user.Id, address);
                }
                else
                {
                    _ = tx.HashDeleteAsync(Keys.Contacts(channel), user.Id);
                }
            }
            foreach (var channel in AddressIndexed)
            {
                // The latest directory write wins the index; a VK id is unique only when linked by its owner (link_vk).
                if (user.Contacts.TryGetValue(channel, out var address))
                {
                    _ = tx.HashSetAsync(Keys.AddressOwners(channel), address, user.Id);
                }
            }
            if (user.TimeZone is { } zone)
            {
                _ = tx.HashSetAsync(Keys.Zones, user.Id, zone);
            }
            else
            {
                _ = tx.HashDeleteAsync(Keys.Zones, user.Id);
            }
            if (user.Contacts.TryGetValue(Channels.Vk, out var vkId))
            {
                _ = tx.SetRemoveAsync(Keys.VkAllowed, vkId);
            }
        }
        var groupCounts = Write(tx, groups, oldGroups, g => Keys.Group(g.Id));
        var supergroupCounts = Write(tx, supergroups, oldSupergroups, s => Keys.Supergroup(s.Id));
        foreach (var g in groups)
        {
            _ = tx.HashSetAsync(Keys.GroupNames, g.Id, g.Name);
        }
        foreach (var s in supergroups)
        {
            _ = tx.HashSetAsync(Keys.SupergroupNames, s.Id, s.Name);
        }
        if (!dryRun && !await tx.ExecuteAsync())
        {
            throw new InvalidOperationException("The directory transaction was not executed.");
        }
        return new ImportResult(userCounts.Result, groupCounts, supergroupCounts)
        {
            Demoted = [.. users.Where((u, i) => previousUsers[i] is { } p && Roles.IsDemotion(p.Role, u.Role)).Select(u => u.Id)],
        };
    }

    /// <summary>
    /// Expands addressees to distinct user ids, in the order given: users, then members of groups, then
    /// members of the groups of supergroups.
    /// </summary>
    public async Task<Expansion> ExpandAsync(Addressees to)
    {
        var db = Db;
        var users = to.Users.Distinct().ToList();
        var unknownUsers = await MissingAsync(users, Keys.User);
        var (supergroups, unknownSupergroups) = await ReadKnownAsync<Supergroup>(db, to.Supergroups.Distinct().ToList(), Keys.Supergroup);
        var groupIds = to.Groups.Distinct().ToList();
        var (groups, unknownGroups) = await ReadKnownAsync<Group>(db, groupIds, Keys.Group);
        var nestedIds = supergroups.SelectMany(s => s.Groups).Distinct().Except(groupIds).ToList();
        var nestedDocs = await ReadManyAsync(db, nestedIds.Select(Keys.Group));
        var nested = nestedDocs.Select(Parse<Group>).OfType<Group>().ToList();

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var recipients = new List<string>();
        foreach (var id in users.Except(unknownUsers).Concat(groups.Concat(nested).SelectMany(g => g.Members)))
        {
            if (seen.Add(id))
            {
                recipients.Add(id);
            }
        }
        return new Expansion(recipients, unknownUsers, unknownGroups, unknownSupergroups, groups, supergroups);
    }

    /// <summary>The time zone of each user (null: none set, the institution's applies), a thousand per HMGET.</summary>
    public async Task<IReadOnlyList<string?>> ZonesAsync(IReadOnlyList<string> userIds)
    {
        var zones = new List<string?>(userIds.Count);
        for (var i = 0; i < userIds.Count; i += 1000)
        {
            var chunk = userIds.Skip(i).Take(1000).Select(u => (RedisValue)u).ToArray();
            var values = await Db.HashGetAsync(Keys.Zones, chunk);
            zones.AddRange(values.Select(v => v.IsNullOrEmpty ? null : v.ToString()));
        }
        return zones;
    }

    /// <summary>Marks a contact inactive after the provider said it is blocked or gone.</summary>
    public async Task<bool> DeactivateContactAsync(string channel, string userId, string address)
    {
        var result = await scripts.RunAsync(Db, Script.DeactivateContact,
            [Keys.User(userId), Keys.Contacts(channel)], [channel, userId, address]);
        return (int)result == 1;
    }

    /// <summary>Marks a contact active again after the person allowed the channel's messages.</summary>
    public async Task<bool> ActivateContactAsync(string channel, string userId, string address)
    {
        var result = await scripts.RunAsync(Db, Script.ActivateContact,
            [Keys.User(userId), Keys.Contacts(channel)], [channel, userId, address]);
        return (int)result == 1;
    }

    /// <summary>How often <see cref="LinkAsync"/> rereads the index when a concurrent write changed it.</summary>
    private const int LinkAttempts = 5;

    /// <summary>
    /// Attaches <paramref name="address"/> in <paramref name="channel"/> to the user a link code (canonical form) was
    /// issued for, once: <paramref name="script"/> is that channel's link script (<c>link_contact</c> of
    /// <c>lua/_link.lua</c>), <paramref name="extraKeys"/> the keys it takes after the five they share.
    /// </summary>
    internal async Task<LinkResult> LinkAsync(Script script, string channel, string code, string address, params RedisKey[] extraKeys)
    {
        var db = Db;
        var codeKey = LinkCodeStore.KeyOf(code);
        for (var attempt = 0; attempt < LinkAttempts; attempt++)
        {
            var userId = await db.StringGetAsync(codeKey);
            if (userId.IsNull)
            {
                return new LinkResult(LinkOutcome.Unknown);
            }
            var owner = await FindByAddressAsync(channel, address) ?? "";
            var ownerKey = owner.Length > 0 && MessageIds.IsValidEntityId(owner) ? Keys.User(owner) : Keys.User(userId!);
            var result = (string?)await scripts.RunAsync(db, script,
                [codeKey, Keys.User(userId!), Keys.AddressOwners(channel), Keys.Contacts(channel), ownerKey, .. extraKeys],
                [userId, address, owner]);
            switch (result)
            {
                case "linked":
                    return new LinkResult(LinkOutcome.Linked, userId);
                case "moved":
                    return new LinkResult(LinkOutcome.Moved, userId, owner);
                case "gone":
                    return new LinkResult(LinkOutcome.Unknown);
                case "stale":
                    continue;
                default:
                    throw new InvalidOperationException($"The {script} script answered '{result}'.");
            }
        }
        throw new InvalidOperationException($"address:{channel} kept changing for {address}; the link was not made.");
    }

    /// <summary>
    /// The user whose contact in <paramref name="channel"/> (one of <see cref="AddressIndexed"/>) is
    /// <paramref name="address"/>, per <c>address:&lt;channel&gt;</c>: a hint, check the user's document.
    /// </summary>
    public async Task<string?> FindByAddressAsync(string channel, string address)
    {
        var owner = await Db.HashGetAsync(Keys.AddressOwners(channel), address);
        return owner.IsNull ? null : owner.ToString();
    }

    /// <summary>Every group's id → name (<c>names:group</c>, written with the groups).</summary>
    public Task<Dictionary<string, string>> GroupNamesAsync() => NamesAsync(Keys.GroupNames);

    /// <summary>Every supergroup's id → name (<c>names:supergroup</c>).</summary>
    public Task<Dictionary<string, string>> SupergroupNamesAsync() => NamesAsync(Keys.SupergroupNames);

    private async Task<Dictionary<string, string>> NamesAsync(RedisKey key) =>
        (await Db.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);

    /// <summary>
    /// The addresses these users give up (their previous one, now changed or removed) that <c>address:&lt;channel&gt;</c>
    /// still gives to them. An entry a concurrent write leaves behind is harmless: every reader that
    /// follows the index checks the user's document first.
    /// </summary>
    private static async Task<List<(string Channel, RedisValue Address)>> AddressesToUnindexAsync(
        IDatabase db, IReadOnlyList<User> users, List<User?> previousUsers)
    {
        var result = new List<(string, RedisValue)>();
        foreach (var channel in AddressIndexed)
        {
            var dropped = new List<(string Address, string UserId)>();
            for (var i = 0; i < users.Count; i++)
            {
                if (previousUsers[i]?.Contacts.TryGetValue(channel, out var old) == true
                    && (!users[i].Contacts.TryGetValue(channel, out var now) || now != old))
                {
                    dropped.Add((old, users[i].Id));
                }
            }
            if (dropped.Count == 0)
            {
                continue;
            }
            var owners = await db.HashGetAsync(Keys.AddressOwners(channel), [.. dropped.Select(d => (RedisValue)d.Address)]);
            result.AddRange(dropped.Where((d, i) => owners[i] == d.UserId).Select(d => (channel, (RedisValue)d.Address)));
        }
        return result;
    }

    private static List<string> StillInactive(User? previous, User next) =>
        previous is null
            ? []
            : [.. previous.Inactive.Where(c =>
                previous.Contacts.TryGetValue(c, out var old) && next.Contacts.TryGetValue(c, out var now) && old == now)];

    private static ImportCounts Write<T>(ITransaction tx, IReadOnlyList<T> items, RedisValue[] old, Func<T, RedisKey> key)
    {
        var counts = new Counter();
        for (var i = 0; i < items.Count; i++)
        {
            var json = AdaJson.Serialize(items[i]);
            counts.Count(old[i], json);
            _ = tx.StringSetAsync(key(items[i]), json);
        }
        return counts.Result;
    }

    private async Task<IReadOnlyList<string>> MissingAsync(IEnumerable<string> ids, Func<string, RedisKey> key)
    {
        var list = ids.Distinct().ToList();
        var batch = Db.CreateBatch();
        var checks = list.Select(id => batch.KeyExistsAsync(key(id))).ToList();
        batch.Execute();
        var exists = await Task.WhenAll(checks);
        return [.. list.Where((_, i) => !exists[i])];
    }

    /// <summary>The documents of <paramref name="ids"/> that exist, in order, and the ids that have none.</summary>
    private static async Task<(List<T> Known, List<string> Unknown)> ReadKnownAsync<T>(
        IDatabase db, List<string> ids, Func<string, RedisKey> key) where T : class
    {
        var docs = await ReadManyAsync(db, ids.Select(key));
        var known = new List<T>();
        var unknown = new List<string>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (Parse<T>(docs[i]) is { } doc)
            {
                known.Add(doc);
            }
            else
            {
                unknown.Add(ids[i]);
            }
        }
        return (known, unknown);
    }

    private static async Task<RedisValue[]> ReadManyAsync(IDatabase db, IEnumerable<RedisKey> keys)
    {
        var all = keys.ToArray();
        var values = new RedisValue[all.Length];
        // Pipelined GETs in slices: one round trip per thousand keys, and no multi-key command, so it works on a cluster.
        for (var offset = 0; offset < all.Length; offset += 1000)
        {
            var slice = all.AsSpan(offset, Math.Min(1000, all.Length - offset)).ToArray();
            var batch = db.CreateBatch();
            var reads = slice.Select(k => batch.StringGetAsync(k)).ToList();
            batch.Execute();
            var got = await Task.WhenAll(reads);
            got.CopyTo(values, offset);
        }
        return values;
    }

    private static T? Parse<T>(RedisValue value) where T : class =>
        value.IsNullOrEmpty ? null : AdaJson.Deserialize<T>(value.ToString());

    private sealed class Counter
    {
        private int _created, _updated, _unchanged;

        public void Count(RedisValue old, string json)
        {
            if (old.IsNull)
            {
                _created++;
            }
            else if (old == json)
            {
                _unchanged++;
            }
            else
            {
                _updated++;
            }
        }

        public ImportCounts Result => new(_created, _updated, _unchanged);
    }
}
