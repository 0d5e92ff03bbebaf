using System.Globalization;
using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core;
using Ada.Core.Directory;
using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;

namespace Ada.Api.Directory;

/// <summary>One person of <c>GET /v1/users</c>: the channels are those linked and active.</summary>
public sealed record UserListItem(string Id, string Name, string Role, IReadOnlyList<string> Channels);

/// <summary>One group or supergroup of <c>GET /v1/groups</c> / <c>GET /v1/supergroups</c>: <c>size</c> counts members or groups.</summary>
public sealed record GroupListItem(string Id, string Name, int Size, IReadOnlyList<string> Owners);

/// <summary>
/// Browsing the directory (staff and admins): people, groups and supergroups whose name or id contains <c>q</c>,
/// sorted by name, then id, a page at a time (<c>offset</c>, <c>limit</c>); <c>X-Total-Count</c> says how many
/// match, and a Link header (rel="next") gives the next page while more remain.
/// </summary>
public static class DirectoryListsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapDirectoryLists(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1", "Directory", Policies.Sender);
        const string Paging = "'q' keeps those whose name or id contains it (any case); sorted by name, then id; 'offset' " +
            "(default 0) and 'limit' (1-500, default 50) choose the page. X-Total-Count is the number that match; a Link " +
            "header (rel=\"next\") gives the next page while more remain. Staff and admins.";

        group.MapGet("/users", Users).WithName("ListUsers").WithSummary("Browse people (staff, admin)").WithDescription(Paging);
        group.MapGet("/groups", Groups).WithName("ListGroups").WithSummary("Browse groups (staff, admin)").WithDescription(Paging);
        group.MapGet("/supergroups", Supergroups).WithName("ListSupergroups")
            .WithSummary("Browse supergroups, the streams (staff, admin)").WithDescription(Paging);
        return group;
    }

    private static async Task<Results<Ok<List<UserListItem>>, ProblemHttpResult>> Users(
        string? q, string? offset, string? limit, ClaimsPrincipal principal, HttpResponse response,
        DirectoryStore directory, IConnectionMultiplexer mux)
    {
        if (Check(principal, offset, limit, out var skip, out var take) is { } problem)
        {
            return problem;
        }
        var prefix = Keys.User("").ToString();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in mux.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(mux.GetDatabase().Database, prefix + "*", pageSize: 1000))
            {
                ids.Add(key.ToString()[prefix.Length..]);
            }
        }
        var users = (await Task.WhenAll(ids.Select(directory.GetUserAsync))).OfType<User>()
            .Where(u => Matches(q, u.Id, u.Name))
            .OrderBy(u => u.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(u => u.Id, StringComparer.Ordinal).ToList();
        Page(response, "/v1/users", q, skip, take, users.Count);
        return TypedResults.Ok(users.Skip(skip).Take(take).Select(u => new UserListItem(u.Id, u.Name, u.Role,
            [.. u.Contacts.Keys.Where(c => !u.Inactive.Contains(c)).Order(StringComparer.Ordinal)])).ToList());
    }

    private static async Task<Results<Ok<List<GroupListItem>>, ProblemHttpResult>> Groups(
        string? q, string? offset, string? limit, ClaimsPrincipal principal, HttpResponse response, DirectoryStore directory)
    {
        if (Check(principal, offset, limit, out var skip, out var take) is { } problem)
        {
            return problem;
        }
        var names = Sorted(await directory.GroupNamesAsync(), q);
        Page(response, "/v1/groups", q, skip, take, names.Count);
        var page = await Task.WhenAll(names.Skip(skip).Take(take).Select(n => directory.GetGroupAsync(n.Key)));
        return TypedResults.Ok(page.OfType<Group>().Select(g => new GroupListItem(g.Id, g.Name, g.Members.Count, g.Owners)).ToList());
    }

    private static async Task<Results<Ok<List<GroupListItem>>, ProblemHttpResult>> Supergroups(
        string? q, string? offset, string? limit, ClaimsPrincipal principal, HttpResponse response, DirectoryStore directory)
    {
        if (Check(principal, offset, limit, out var skip, out var take) is { } problem)
        {
            return problem;
        }
        var names = Sorted(await directory.SupergroupNamesAsync(), q);
        Page(response, "/v1/supergroups", q, skip, take, names.Count);
        var page = await Task.WhenAll(names.Skip(skip).Take(take).Select(n => directory.GetSupergroupAsync(n.Key)));
        return TypedResults.Ok(page.OfType<Supergroup>().Select(s => new GroupListItem(s.Id, s.Name, s.Groups.Count, s.Owners)).ToList());
    }

    private static ProblemHttpResult? Check(ClaimsPrincipal principal, string? offset, string? limit, out int skip, out int take)
    {
        (skip, take) = (0, DefaultLimit);
        if (!Caller.From(principal).IsStaffOrAdmin)
        {
            return Problems.Forbidden("Only staff and admins may browse the directory; the compose page's search (GET /v1/addressees) is for teachers.");
        }
        if (offset is not null && !int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            return Problems.BadRequest($"'offset' must be a whole number from 0; got {Validation.Echo(offset)}.");
        }
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            return Problems.BadRequest($"'limit' must be an integer from 1 to {MaxLimit}; got {Validation.Echo(limit)}.");
        }
        return null;
    }

    private static bool Matches(string? q, string id, string name) =>
        string.IsNullOrWhiteSpace(q) || name.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase) || id.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase);

    private static List<KeyValuePair<string, string>> Sorted(Dictionary<string, string> names, string? q) =>
        [.. names.Where(n => Matches(q, n.Key, n.Value))
            .OrderBy(n => n.Value, StringComparer.CurrentCultureIgnoreCase).ThenBy(n => n.Key, StringComparer.Ordinal)];

    private static void Page(HttpResponse response, string path, string? q, int skip, int take, int total)
    {
        response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        if (skip + take < total)
        {
            var query = string.IsNullOrWhiteSpace(q) ? "" : "q=" + Uri.EscapeDataString(q.Trim()) + "&";
            response.Headers.Link = $"<{path}?{query}offset={skip + take}&limit={take}>; rel=\"next\"";
        }
    }
}
