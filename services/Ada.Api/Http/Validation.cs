using System.Globalization;
using System.Text;
using Ada.Core.Messages;

namespace Ada.Api.Http;

/// <summary>Collects what is wrong with a request, field by field (paths as in the JSON: <c>to.users[2]</c>).</summary>
public sealed class Validation
{
    /// <summary>Fields with problems kept; a list of a million bad ids answers with the first ones, not a million.</summary>
    public const int MaxFields = 100;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private int _dropped;

    public bool IsValid => _errors.Count == 0;

    public Dictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    /// <summary>Every message, in order: the detail of the 400 answer.</summary>
    public string Detail => Problems.InvalidDetail(Errors)
        + (_dropped > 0 ? $" ({_dropped} more problems not listed.)" : "");

    public void Add(string path, string message)
    {
        if (!_errors.TryGetValue(path, out var list))
        {
            if (_errors.Count >= MaxFields)
            {
                _dropped++;
                return;
            }
            _errors[path] = list = [];
        }
        list.Add(message);
    }

    /// <summary>A required single-line text: present, not blank, within <paramref name="max"/>, no control characters.</summary>
    public string Name(string path, string? value, int max = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(path, $"'{path}' is required and must not be blank.");
            return "";
        }
        var trimmed = value.Trim();
        if (trimmed.Length > max)
        {
            Add(path, $"'{path}' is {trimmed.Length} characters long; at most {max} are allowed.");
        }
        else if (trimmed.Any(char.IsControl))
        {
            Add(path, $"'{path}' must not contain control characters.");
        }
        else if (!IsWellFormed(trimmed))
        {
            Add(path, $"'{path}' contains an unpaired UTF-16 surrogate.");
        }
        return trimmed;
    }

    /// <summary>A user, group or supergroup id, as it will appear inside Redis keys.</summary>
    public bool EntityId(string path, string? value, string what)
    {
        if (MessageIds.IsValidEntityId(value))
        {
            return true;
        }
        Add(path, value is null
            ? $"'{path}' is required: a {what} id."
            : $"'{path}' is {Echo(value)}, not a valid {what} id (1-64 letters, digits, '_', '-' or '.').");
        return false;
    }

    /// <summary>A list of ids: each valid; duplicates dropped, order kept (linear: a set beside the list).</summary>
    public List<string> EntityIds(string path, IReadOnlyList<string?>? values, string what)
    {
        var result = new List<string>();
        if (values is null)
        {
            return result;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            if (MessageIds.IsValidEntityId(values[i]))
            {
                if (seen.Add(values[i]!))
                {
                    result.Add(values[i]!);
                }
            }
            else
            {
                EntityId($"{path}[{i}]", values[i], what);
            }
        }
        return result;
    }

    /// <summary>A value quoted for a detail: cut short, control characters and broken surrogates escaped.</summary>
    public static string Echo(string value)
    {
        var text = new StringBuilder("'");
        for (var i = 0; i < value.Length && i < 80; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                text.Append(c).Append(value[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                text.Append(c);
            }
        }
        return text.Append(value.Length > 80 ? "…'" : "'").ToString();
    }

    /// <summary>False when the text has an unpaired surrogate (valid JSON escapes can produce one; nothing can store it).</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }
        return true;
    }
}
