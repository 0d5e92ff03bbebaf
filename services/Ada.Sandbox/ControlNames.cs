using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox;

/// <summary>
/// The names the control API takes and shows for a state or fault mode: the member's name in snake_case, as JSON
/// would write it (<c>FailSend</c> is <c>fail_send</c>, <c>Error502</c> <c>error502</c>), matched ignoring case.
/// </summary>
public static class ControlNames
{
    public static bool TryParse<TEnum>(string? name, out TEnum value) where TEnum : struct, Enum
    {
        value = default;
        return name is not null && Table<TEnum>.ByName.TryGetValue(name, out value);
    }

    public static string NameOf<TEnum>(TEnum value) where TEnum : struct, Enum =>
        Table<TEnum>.ByName.First(pair => pair.Value.Equals(value)).Key;

    /// <summary>The <c>detail</c> of the 400 for a name that is none of them: "state must be one of ok, blocked…; got 'x'."</summary>
    public static string MustBeOneOf<TEnum>(string field, string? name) where TEnum : struct, Enum =>
        $"{field} must be one of {string.Join(", ", Table<TEnum>.ByName.Keys)}; got '{name}'.";

    /// <summary>A control API's <c>PUT</c> of a state: 204 once <paramref name="set"/> has it, a 400 that changes nothing otherwise.</summary>
    public static Results<NoContent, ProblemHttpResult> Put<TEnum>(string field, string? name, Action<TEnum> set) where TEnum : struct, Enum
    {
        if (!TryParse<TEnum>(name, out var value))
        {
            return ControlProblems.Invalid(MustBeOneOf<TEnum>(field, name));
        }

        set(value);
        return TypedResults.NoContent();
    }

    private static class Table<TEnum> where TEnum : struct, Enum
    {
        public static readonly Dictionary<string, TEnum> ByName = Enum.GetValues<TEnum>()
            .ToDictionary(value => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()), StringComparer.OrdinalIgnoreCase);
    }
}
