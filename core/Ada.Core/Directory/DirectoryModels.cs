using System.Text.Json.Serialization;

namespace Ada.Core.Directory;

public static class Roles
{
    public const string Student = "student";
    public const string Teacher = "teacher";
    public const string Staff = "staff";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Student, Teacher, Staff, Admin];

    /// <summary>True when <paramref name="next"/> may do less than <paramref name="previous"/> (student &lt; teacher &lt; staff &lt; admin).</summary>
    public static bool IsDemotion(string previous, string next) => Rank(next) < Rank(previous);

    private static int Rank(string role) => role switch
    {
        Teacher => 1,
        Staff => 2,
        Admin => 3,
        _ => 0,
    };
}

/// <summary>The languages Ada speaks to people in: Russian unless a person's <c>language</c> says English.</summary>
public static class Languages
{
    public const string Russian = "ru";
    public const string English = "en";

    public static readonly IReadOnlyList<string> All = [Russian, English];

    /// <summary>"en" for English, "ru" for anything else (absent, unknown).</summary>
    public static string Of(string? language) => language == English ? English : Russian;
}

/// <summary>A person. <c>Contacts</c> maps a channel to an address; <c>Inactive</c> lists channels whose
/// provider said the contact can no longer be written to (blocked, deactivated); <c>Language</c> (optional,
/// <see cref="Languages"/>) is the language Ada answers them in; <c>TimeZone</c> (optional, IANA) is where they live:
/// quiet hours apply in it (without one, the institution's zone).</summary>
public sealed record User(
    string Id,
    string Name,
    string Role,
    IReadOnlyDictionary<string, string> Contacts,
    IReadOnlyList<string> Inactive,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Language = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TimeZone = null);

public sealed record Group(string Id, string Name, IReadOnlyList<string> Members, IReadOnlyList<string> Owners);

public sealed record Supergroup(string Id, string Name, IReadOnlyList<string> Groups, IReadOnlyList<string> Owners);

/// <summary>What <see cref="DirectoryStore.ExpandAsync"/> found: the user ids to deliver to, and the ids it did not know.</summary>
public sealed record Expansion(
    IReadOnlyList<string> Recipients,
    IReadOnlyList<string> UnknownUsers,
    IReadOnlyList<string> UnknownGroups,
    IReadOnlyList<string> UnknownSupergroups,
    IReadOnlyList<Group> Groups,
    IReadOnlyList<Supergroup> Supergroups)
{
    public bool HasUnknown => UnknownUsers.Count + UnknownGroups.Count + UnknownSupergroups.Count > 0;
}

public sealed record ImportCounts(int Created, int Updated, int Unchanged);

public sealed record ImportResult(ImportCounts Users, ImportCounts Groups, ImportCounts Supergroups)
{
    /// <summary>Users whose role the write lowered: their credentials must be revoked (not part of the answer).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Demoted { get; init; } = [];
}
