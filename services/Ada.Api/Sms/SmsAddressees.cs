using Ada.Core.Directory;
using Ada.Core.Messages;

namespace Ada.Api.Sms;

/// <summary>The addressees an SMS named, as directory ids, and the names that matched nothing or more than one thing.</summary>
public sealed record ResolvedAddressees(Addressees To, IReadOnlyList<string> Unknown, IReadOnlyList<string> Ambiguous)
{
    public bool IsComplete => Unknown.Count + Ambiguous.Count == 0;
}

/// <summary>
/// Turns the names typed in an SMS into directory ids. A group or supergroup matches by id or by name, compared
/// as <see cref="Lookalikes.Key"/> (case, spaces, dashes and Cyrillic look-alikes ignored). When a name matches
/// several, the sender's own one wins (a teacher may address only their groups); otherwise it is ambiguous.
/// A login is a user id, as typed or in lower case.
/// </summary>
public sealed class SmsAddressees(DirectoryStore directory)
{
    public async Task<ResolvedAddressees> ResolveAsync(SmsCommand.Send send, string senderId)
    {
        var unknown = new List<string>();
        var ambiguous = new List<string>();
        var groups = new List<string>();
        var supergroups = new List<string>();
        if (send.Groups.Count > 0)
        {
            var index = await IndexAsync();
            foreach (var name in send.Groups)
            {
                var candidates = index.TryGetValue(Lookalikes.Key(name), out var found) ? found : await ByIdAsync(name);
                var chosen = await ChooseAsync(candidates, senderId);
                if (chosen is null)
                {
                    (candidates.Count == 0 ? unknown : ambiguous).Add(candidates.Count == 0
                        ? name
                        : $"{name} ({string.Join(", ", candidates.Select(c => c.Id))})");
                }
                else
                {
                    (chosen.Super ? supergroups : groups).Add(chosen.Id);
                }
            }
        }
        var users = new List<string>();
        foreach (var login in send.Users)
        {
            var latin = Lookalikes.Latin(login);
            if (MessageIds.IsValidEntityId(latin) && await directory.GetUserAsync(latin) is not null)
            {
                users.Add(latin);
            }
            else if (MessageIds.IsValidEntityId(latin.ToLowerInvariant()) && await directory.GetUserAsync(latin.ToLowerInvariant()) is not null)
            {
                users.Add(latin.ToLowerInvariant());
            }
            else
            {
                unknown.Add("@" + login);
            }
        }
        return new ResolvedAddressees(
            new Addressees([.. users.Distinct()], [.. groups.Distinct()], [.. supergroups.Distinct()]), unknown, ambiguous);
    }

    private sealed record Candidate(bool Super, string Id);

    /// <summary>Key of every id and name → what it names.</summary>
    private async Task<Dictionary<string, List<Candidate>>> IndexAsync()
    {
        var groupNames = directory.GroupNamesAsync();
        var supergroupNames = directory.SupergroupNamesAsync();
        var index = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        void Add(string text, Candidate c)
        {
            var key = Lookalikes.Key(text);
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }
            if (!list.Contains(c))
            {
                list.Add(c);
            }
        }
        foreach (var (id, name) in await groupNames)
        {
            Add(id, new Candidate(false, id));
            Add(name, new Candidate(false, id));
        }
        foreach (var (id, name) in await supergroupNames)
        {
            Add(id, new Candidate(true, id));
            Add(name, new Candidate(true, id));
        }
        return index;
    }

    /// <summary>An id the name index does not hold yet (written before the index existed): looked up directly.</summary>
    private async Task<List<Candidate>> ByIdAsync(string name)
    {
        var id = Lookalikes.Latin(name.Trim());
        if (!MessageIds.IsValidEntityId(id))
        {
            return [];
        }
        var found = new List<Candidate>();
        foreach (var candidate in new[] { id, id.ToLowerInvariant() }.Distinct())
        {
            if (await directory.GetGroupAsync(candidate) is not null)
            {
                found.Add(new Candidate(false, candidate));
            }
            if (await directory.GetSupergroupAsync(candidate) is not null)
            {
                found.Add(new Candidate(true, candidate));
            }
        }
        return found;
    }

    /// <summary>The one candidate, or the only one the sender owns; null when none or still several.</summary>
    private async Task<Candidate?> ChooseAsync(List<Candidate> candidates, string senderId)
    {
        if (candidates.Count <= 1)
        {
            return candidates.FirstOrDefault();
        }
        var owned = new List<Candidate>();
        foreach (var c in candidates)
        {
            var owners = c.Super ? (await directory.GetSupergroupAsync(c.Id))?.Owners : (await directory.GetGroupAsync(c.Id))?.Owners;
            if (owners?.Contains(senderId) == true)
            {
                owned.Add(c);
            }
        }
        return owned.Count == 1 ? owned[0] : null;
    }
}
