using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Core;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Ada.Api.Web;

public sealed record AddresseeHit(string Kind, string Id, string Name, int? Size);

public sealed record AudienceBody(AddresseesBody? To, string? SendAt, bool? Urgent);

public sealed record PersonRef(string Id, string Name);

public sealed record MemberAnswer(string Id, string Name, IReadOnlyList<string> Channels);

public sealed record ComposeChannel(string Name, int? MaxTextLength, int? MaxSmsSegments);

/// <summary>
/// Who a selection reaches before anything is sent: <c>reachable</c> counts people per channel with a live
/// courier, <c>unreachable</c> those on none of them (listed, at most 100); and when it would be delivered.
/// </summary>
public sealed record AudienceAnswer(
    int Recipients, IReadOnlyDictionary<string, int> Reachable, int Unreachable, IReadOnlyList<PersonRef> UnreachablePeople,
    string DeliverAt, Rescheduled? Rescheduled);

/// <summary>What the compose page needs: search the addressees the caller may write to, and preview a selection.</summary>
public static class AddresseesApi
{
    public const int MaxHits = 50;
    private static readonly TimeSpan PeopleCacheFor = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapAddressees(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1", "Compose", Policies.Sender);

        group.MapGet("/addressees", Search).WithName("SearchAddressees")
            .WithSummary("Groups, supergroups (streams) and people the caller may address whose name or id contains 'q' (at most 50)");
        group.MapPost("/audience", Audience).WithName("PreviewAudience")
            .WithSummary("For {to, sendAt?, urgent?}: how many people, how many reachable on each channel, who on none, and when it would be delivered");

        group.MapGet("/addressees/groups/{groupId}", Members).WithName("GroupMembers")
            .WithSummary("A group's members with the channels each is linked on (its owners, staff and admins)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/compose/channels", ComposeChannels).WithName("ComposeChannels")
            .WithSummary("The channels with a running courier and the text limits they published (length, SMS segments)");

        return group;
    }

    private static async Task<Results<Ok<List<MemberAnswer>>, ProblemHttpResult>> Members(
        string groupId, ClaimsPrincipal principal, DirectoryStore directory)
    {
        var caller = Caller.From(principal);
        if (!MessageIds.IsValidEntityId(groupId) || await directory.GetGroupAsync(groupId) is not { } group)
        {
            return Problems.NotFound($"There is no group {Validation.Echo(groupId)}.");
        }
        if (!caller.IsStaffOrAdmin && !group.Owners.Contains(caller.Id))
        {
            return Problems.Forbidden($"Only the owners of group {groupId}, staff and admins may list its members.");
        }
        // All members' documents in one pipelined round trip rather than one after another.
        var users = await Task.WhenAll(group.Members.Select(directory.GetUserAsync));
        var members = group.Members.Select((id, i) => users[i] is { } user
            ? new MemberAnswer(id, user.Name, [.. user.Contacts.Keys.Where(c => !user.Inactive.Contains(c)).Order(StringComparer.Ordinal)])
            : new MemberAnswer(id, id, [])).ToList();
        return TypedResults.Ok(members);
    }

    private static async Task<Ok<List<ComposeChannel>>> ComposeChannels(CourierRegistry couriers) =>
        TypedResults.Ok((await couriers.ChannelsAsync()).Where(c => c.Live)
            .Select(c => new ComposeChannel(c.Name, c.Limits?.MaxTextLength, c.Limits?.MaxSmsSegments)).ToList());

    private static async Task<Ok<List<AddresseeHit>>> Search(
        string? q, ClaimsPrincipal principal, DirectoryStore directory, IConnectionMultiplexer mux, IMemoryCache cache)
    {
        var caller = Caller.From(principal);
        var query = (q ?? "").Trim();
        bool Matches(string id, string name) =>
            query.Length == 0 || name.Contains(query, StringComparison.OrdinalIgnoreCase) || id.Contains(query, StringComparison.OrdinalIgnoreCase);

        var hits = new List<AddresseeHit>();
        var groupNames = (await directory.GroupNamesAsync()).Where(g => Matches(g.Key, g.Value)).OrderBy(g => g.Value).Take(MaxHits);
        foreach (var (id, name) in groupNames)
        {
            if (await directory.GetGroupAsync(id) is { } g && (caller.Role != Roles.Teacher || g.Owners.Contains(caller.Id)))
            {
                hits.Add(new("group", id, name, g.Members.Count));
            }
        }
        var supergroupNames = (await directory.SupergroupNamesAsync()).Where(s => Matches(s.Key, s.Value)).OrderBy(s => s.Value).Take(MaxHits);
        foreach (var (id, name) in supergroupNames)
        {
            if (await directory.GetSupergroupAsync(id) is { } s && (caller.Role != Roles.Teacher || s.Owners.Contains(caller.Id)))
            {
                hits.Add(new("supergroup", id, name, s.Groups.Count));
            }
        }
        if (query.Length > 0)
        {
            var people = await cache.GetOrCreateAsync("web:people", async entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = PeopleCacheFor;
                return await PeopleAsync(mux, directory);
            }) ?? [];
            hits.AddRange(people.Where(p => Matches(p.Id, p.Name)).OrderBy(p => p.Name).Take(MaxHits)
                .Select(p => new AddresseeHit("user", p.Id, p.Name, null)));
        }
        return TypedResults.Ok(hits.Take(MaxHits * 2).ToList());
    }

    /// <summary>Every person's id and name, by a SCAN of the directory's slot (kept a few seconds: a search per keystroke).</summary>
    private static async Task<List<PersonRef>> PeopleAsync(IConnectionMultiplexer mux, DirectoryStore directory)
    {
        var prefix = Keys.User("").ToString();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in mux.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(mux.GetDatabase().Database, prefix + "*", pageSize: 1000))
            {
                ids.Add(key.ToString()[prefix.Length..]);
            }
        }
        var users = await Task.WhenAll(ids.Select(directory.GetUserAsync));
        return [.. users.OfType<User>().Select(user => new PersonRef(user.Id, user.Name))];
    }

    private static async Task<Results<Ok<AudienceAnswer>, ProblemHttpResult>> Audience(
        JsonBody<AudienceBody> body, ClaimsPrincipal principal, DirectoryStore directory, CourierRegistry couriers,
        Scheduler scheduler, IConnectionMultiplexer mux, RefusalTexts texts, HttpContext http)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var caller = Caller.From(principal);
        var v = new Validation();
        var to = QueueRequest.ReadAddressees(body.Value!.To, v);
        scheduler.TryReadSendAt(body.Value.SendAt, "sendAt", v, out var sendAt);
        if (!v.IsValid)
        {
            return Problems.Invalid(v);
        }
        var urgent = body.Value.Urgent ?? false;
        ProblemHttpResult Refused(Refusal refusal) => RefusalProblems.ToProblem(refusal, texts.Describe(refusal, RequestLanguage.Of(http.Request)));
        if (urgent && !Scheduler.MaySkipQuietHours(caller.Role))
        {
            return Refused(Refusal.UrgentNotAllowed(caller.Role));
        }
        var expansion = await directory.ExpandAsync(to);
        if (expansion.HasUnknown)
        {
            return Refused(Refusal.UnknownAddressees(new Addressees(expansion.UnknownUsers, expansion.UnknownGroups, expansion.UnknownSupergroups)));
        }
        if (caller.Role == Roles.Teacher && MessageQueue.NotOwned(expansion, caller.Id) is { } notOwned)
        {
            return Refused(notOwned);
        }
        var db = mux.GetDatabase();
        var ids = expansion.Recipients.Select(id => (RedisValue)id).ToArray();
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var perChannel = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var channel in await couriers.AliveChannelsAsync())
        {
            var addresses = ids.Length == 0 ? [] : await db.HashGetAsync(Keys.Contacts(channel), ids);
            var count = 0;
            for (var i = 0; i < addresses.Length; i++)
            {
                if (addresses[i].HasValue)
                {
                    count++;
                    reached.Add(expansion.Recipients[i]);
                }
            }
            perChannel[channel] = count;
        }
        var unreachable = expansion.Recipients.Where(id => !reached.Contains(id)).ToList();
        var shown = unreachable.Take(100).ToList();
        var names = await Task.WhenAll(shown.Select(directory.GetUserAsync));
        var listed = shown.Select((id, i) => new PersonRef(id, names[i]?.Name ?? id)).ToList();
        var (deliverAt, rescheduled) = scheduler.Plan(caller, sendAt, urgent);
        return TypedResults.Ok(new AudienceAnswer(
            expansion.Recipients.Count, perChannel, unreachable.Count, listed, AdaJson.Timestamp(deliverAt), rescheduled));
    }
}
