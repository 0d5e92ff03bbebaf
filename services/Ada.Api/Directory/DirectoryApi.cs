using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Directory;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Directory;

/// <summary>People, groups and supergroups: one by one (PUT is create-or-replace) or in bulk (import). Admin only.</summary>
public static class DirectoryApi
{
    public static RouteGroupBuilder MapDirectory(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1", "Directory", Policies.Admin);

        group.MapPut("/users/{userId}", PutUser).WithName("PutUser").WithSummary("Create or replace a user")
            .WithDescription("'contacts' maps telegram (chat id), vk (user id), sms (E.164) and email (a bare address) to the " +
                "person's address, each checked. Optional 'timeZone' (IANA, e.g. Asia/Vladivostok): quiet hours apply to them " +
                "there, so a message may reach them in a later wave; absent, the institution's zone.");
        group.MapGet("/users/{userId}", GetUser).WithName("GetUser").WithSummary("Read a user").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/groups/{groupId}", PutGroup).WithName("PutGroup").WithSummary("Create or replace a group")
            .WithBodyLimit(BodyLimits.DirectoryItem);
        group.MapGet("/groups/{groupId}", GetGroup).WithName("GetGroup").WithSummary("Read a group").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/supergroups/{id}", PutSupergroup).WithName("PutSupergroup").WithSummary("Create or replace a supergroup (a stream of groups)")
            .WithBodyLimit(BodyLimits.DirectoryItem);
        group.MapGet("/supergroups/{id}", GetSupergroup).WithName("GetSupergroup").WithSummary("Read a supergroup").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/import", Import).WithName("Import")
            .WithSummary("Create or replace users, groups and supergroups in bulk, all or nothing")
            .WithDescription("With ?dryRun=true everything is validated and counted (created, updated, unchanged) but nothing is written.")
            .WithBodyLimit(BodyLimits.Import);
        routes.MapDirectoryLists();

        return group;
    }

    private static async Task<Results<Created<User>, Ok<User>, ProblemHttpResult>> PutUser(
        string userId, JsonBody<UserBody> body, DirectoryStore directory, Credentials credentials)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var v = new Validation();
        v.EntityId("userId", userId, "user");
        DirectoryBodies.SameId(userId, body.Value!.Id, v);
        var user = body.Value.ToUser(userId, "", v);
        if (!v.IsValid)
        {
            return Problems.Invalid(v);
        }
        var result = await directory.ImportAsync([user], [], []);
        await RevokeDemotedAsync(result, credentials);
        var created = result.Users.Created == 1;
        var stored = await directory.GetUserAsync(userId) ?? user;
        return created ? TypedResults.Created($"/v1/users/{userId}", stored) : TypedResults.Ok(stored);
    }

    private static async Task<Results<Created<Group>, Ok<Group>, ProblemHttpResult>> PutGroup(
        string groupId, JsonBody<GroupBody> body, DirectoryStore directory)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var v = new Validation();
        v.EntityId("groupId", groupId, "group");
        DirectoryBodies.SameId(groupId, body.Value!.Id, v);
        var group = body.Value.ToGroup(groupId, "", v);
        if (!v.IsValid)
        {
            return Problems.Invalid(v);
        }
        var missing = await directory.MissingUsersAsync(group.Members.Concat(group.Owners));
        if (missing.Count > 0)
        {
            return Unknown(missing, []);
        }
        return await directory.PutGroupAsync(group)
            ? TypedResults.Created($"/v1/groups/{groupId}", group)
            : TypedResults.Ok(group);
    }

    private static async Task<Results<Created<Supergroup>, Ok<Supergroup>, ProblemHttpResult>> PutSupergroup(
        string id, JsonBody<SupergroupBody> body, DirectoryStore directory)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var v = new Validation();
        v.EntityId("id", id, "supergroup");
        DirectoryBodies.SameId(id, body.Value!.Id, v);
        var supergroup = body.Value.ToSupergroup(id, "", v);
        if (!v.IsValid)
        {
            return Problems.Invalid(v);
        }
        var missingUsers = await directory.MissingUsersAsync(supergroup.Owners);
        var missingGroups = await directory.MissingGroupsAsync(supergroup.Groups);
        if (missingUsers.Count + missingGroups.Count > 0)
        {
            return Unknown(missingUsers, missingGroups);
        }
        return await directory.PutSupergroupAsync(supergroup)
            ? TypedResults.Created($"/v1/supergroups/{id}", supergroup)
            : TypedResults.Ok(supergroup);
    }

    private static async Task<Results<Ok<User>, ProblemHttpResult>> GetUser(string userId, DirectoryStore directory) =>
        Found(userId, "user", await Read(userId, directory.GetUserAsync));

    private static async Task<Results<Ok<Group>, ProblemHttpResult>> GetGroup(string groupId, DirectoryStore directory) =>
        Found(groupId, "group", await Read(groupId, directory.GetGroupAsync));

    private static async Task<Results<Ok<Supergroup>, ProblemHttpResult>> GetSupergroup(string id, DirectoryStore directory) =>
        Found(id, "supergroup", await Read(id, directory.GetSupergroupAsync));

    /// <summary>Validates everything first (references may point into the same import), then writes it in one transaction.</summary>
    private static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> Import(
        JsonBody<ImportBody> body, DirectoryStore directory, Credentials credentials, string? dryRun)
    {
        if (body.Problem is { } problem)
        {
            return problem;
        }
        if (dryRun is not (null or "true" or "false"))
        {
            return Problems.BadRequest($"'dryRun' must be true or false; got {Validation.Echo(dryRun)}.");
        }
        var v = new Validation();
        var users = Items(body.Value!.Users, "users", "user", v, (item, id, path) => item.ToUser(id, path, v), item => item.Id);
        var groups = Items(body.Value.Groups, "groups", "group", v, (item, id, path) => item.ToGroup(id, path, v), item => item.Id);
        var supergroups = Items(body.Value.Supergroups, "supergroups", "supergroup", v,
            (item, id, path) => item.ToSupergroup(id, path, v), item => item.Id);
        if (!v.IsValid)
        {
            return Problems.Invalid(v);
        }

        var userIds = users.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        var groupIds = groups.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var missingUsers = await directory.MissingUsersAsync(groups.SelectMany(g => g.Members.Concat(g.Owners))
            .Concat(supergroups.SelectMany(s => s.Owners))
            .Where(id => !userIds.Contains(id)));
        var missingGroups = await directory.MissingGroupsAsync(supergroups.SelectMany(s => s.Groups).Where(id => !groupIds.Contains(id)));
        if (missingUsers.Count + missingGroups.Count > 0)
        {
            return Unknown(missingUsers, missingGroups);
        }
        var result = await directory.ImportAsync(users, groups, supergroups, dryRun == "true");
        if (dryRun != "true")
        {
            await RevokeDemotedAsync(result, credentials);
        }
        return TypedResults.Ok(result);
    }

    /// <summary>A user who may now do less loses every credential: a stolen or forgotten token keeps no old power.</summary>
    private static async Task RevokeDemotedAsync(ImportResult result, Credentials credentials)
    {
        foreach (var userId in result.Demoted)
        {
            await credentials.RevokeAllAsync(userId);
        }
    }

    private static List<TRecord> Items<TBody, TRecord>(
        List<TBody?>? items, string path, string what, Validation v, Func<TBody, string, string, TRecord> convert, Func<TBody, string?> idOf)
        where TBody : class
    {
        var result = new List<TRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var itemPath = $"{path}[{i}]";
            if (items![i] is not { } item)
            {
                v.Add(itemPath, $"'{itemPath}' must be a {what} object, not null.");
                continue;
            }
            var id = idOf(item);
            if (v.EntityId($"{itemPath}.id", id, what) && !seen.Add(id!))
            {
                v.Add($"{itemPath}.id", $"'{itemPath}.id' {Validation.Echo(id!)} appears more than once in {path}.");
            }
            result.Add(convert(item, id ?? "", itemPath));
        }
        return result;
    }

    private static async Task<(bool Valid, T? Value)> Read<T>(string id, Func<string, Task<T?>> read) where T : class =>
        Core.Messages.MessageIds.IsValidEntityId(id) ? (true, await read(id)) : (false, null);

    private static Results<Ok<T>, ProblemHttpResult> Found<T>(string id, string what, (bool Valid, T? Value) read) where T : class =>
        read switch
        {
            (false, _) => Problems.BadRequest($"{Validation.Echo(id)} is not a valid {what} id (1-64 letters, digits, '_', '-' or '.')."),
            (_, null) => Problems.NotFound($"There is no {what} {Validation.Echo(id)}."),
            (_, { } value) => TypedResults.Ok(value),
        };

    private static ProblemHttpResult Unknown(IReadOnlyList<string> users, IReadOnlyList<string> groups)
    {
        var parts = new List<string>();
        if (users.Count > 0)
        {
            parts.Add($"unknown users: {Problems.List(users)}");
        }
        if (groups.Count > 0)
        {
            parts.Add($"unknown groups: {Problems.List(groups)}");
        }
        return Problems.BadRequest($"The directory has no such entries; {string.Join("; ", parts)}.", new Dictionary<string, object?>
        {
            ["unknown"] = new { users, groups },
        });
    }
}
