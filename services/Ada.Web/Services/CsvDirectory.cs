using System.Text;

namespace Ada.Web.Services;

/// <summary>
/// The directory CSV layout: a header row, then one person, group or stream a row. Columns (any order; only
/// <c>id</c> and <c>name</c> are required, and <c>role</c> on people):
/// <c>kind,id,name,role,telegram,vk,sms,email,timezone,groups,members,owners</c> (<c>timezone</c>: a person's own IANA zone, optional).
/// <c>kind</c> is <c>person</c> (also when empty or the column is left out), <c>group</c> or <c>stream</c>.
/// A person's <c>groups</c> lists the groups they are a member of; a group's <c>members</c> and <c>owners</c> list
/// people; a stream's <c>groups</c> lists its groups and <c>owners</c> people. Lists are separated by spaces or
/// <c>|</c> (<c>,</c> and <c>;</c> separate cells). A group's members are its <c>members</c> and every person naming
/// it in <c>groups</c>. Turned into the body of <c>POST /v1/import</c>, keeping each record's CSV line number so the
/// API's errors (<c>users[3].role</c>, <c>groups[0].members[2]</c>) can be shown on their line.
/// </summary>
public static class CsvDirectory
{
    public static readonly string[] Columns = ["kind", "id", "name", "role", "telegram", "vk", "sms", "email", "timezone", "groups", "members", "owners"];
    private static readonly string[] ContactColumns = ["telegram", "vk", "sms", "email"];
    private static readonly string[] Required = ["id", "name"];

    public sealed record Parsed(
        List<Dictionary<string, object?>> Users, List<Dictionary<string, object?>> Groups, List<Dictionary<string, object?>> Supergroups,
        Dictionary<string, List<int>> Lines, List<string> Errors)
    {
        /// <summary>The body of <c>POST /v1/import</c>.</summary>
        public object Body => new { users = Users, groups = Groups, supergroups = Supergroups };
    }

    public static Parsed Parse(string csv)
    {
        var rows = Rows(csv);
        var users = new List<Dictionary<string, object?>>();
        var groups = new List<Dictionary<string, object?>>();
        var streams = new List<Dictionary<string, object?>>();
        var lines = new Dictionary<string, List<int>> { ["users"] = [], ["groups"] = [], ["supergroups"] = [] };
        var errors = new List<string>();
        if (rows.Count == 0)
        {
            errors.Add(L.T("Файл пуст.", "The file is empty."));
            return new(users, groups, streams, lines, errors);
        }
        var header = rows[0].Cells.Select(h => h.Trim().ToLowerInvariant()).ToList();
        foreach (var unknown in header.Where(h => !Columns.Contains(h)))
        {
            errors.Add(L.T($"Строка 1: неизвестный столбец «{unknown}»; допустимы: ", $"Line 1: unknown column '{unknown}'; allowed: ") + string.Join(", ", Columns));
        }
        foreach (var required in Required.Where(r => !header.Contains(r)))
        {
            errors.Add(L.T($"Строка 1: нет столбца «{required}».", $"Line 1: the '{required}' column is missing."));
        }
        var joins = new List<(string Person, string Group, int Line)>();
        foreach (var (cells, line) in rows.Skip(1))
        {
            if (cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            string Cell(string column) => header.IndexOf(column) is var i and >= 0 && i < cells.Count ? cells[i].Trim() : "";
            List<string> List(string column) => [.. Cell(column).Split([' ', '|'], StringSplitOptions.RemoveEmptyEntries)];
            switch (Cell("kind").ToLowerInvariant())
            {
                case "" or "person":
                    var contacts = new Dictionary<string, string>();
                    foreach (var channel in ContactColumns)
                    {
                        if (Cell(channel) is { Length: > 0 } address)
                        {
                            contacts[channel] = address;
                        }
                    }
                    users.Add(new Dictionary<string, object?>
                    {
                        ["id"] = Cell("id"), ["name"] = Cell("name"), ["role"] = Cell("role"), ["contacts"] = contacts,
                        ["timeZone"] = Cell("timezone") is { Length: > 0 } zone ? zone : null,
                    });
                    lines["users"].Add(line);
                    joins.AddRange(List("groups").Select(g => (Cell("id"), g, line)));
                    break;
                case "group":
                    groups.Add(new Dictionary<string, object?>
                    {
                        ["id"] = Cell("id"), ["name"] = Cell("name"), ["members"] = List("members"), ["owners"] = List("owners"),
                    });
                    lines["groups"].Add(line);
                    break;
                case "stream":
                    streams.Add(new Dictionary<string, object?>
                    {
                        ["id"] = Cell("id"), ["name"] = Cell("name"), ["groups"] = List("groups"), ["owners"] = List("owners"),
                    });
                    lines["supergroups"].Add(line);
                    break;
                default:
                    errors.Add(L.T($"Строка {line}: неизвестный вид «{Cell("kind")}»; допустимы person, group, stream.",
                        $"Line {line}: unknown kind '{Cell("kind")}'; allowed: person, group, stream."));
                    break;
            }
        }
        foreach (var (person, groupId, line) in joins)
        {
            if (groups.FirstOrDefault(g => (string?)g["id"] == groupId) is { } group)
            {
                var members = (List<string>)group["members"]!;
                if (!members.Contains(person))
                {
                    members.Add(person);
                }
            }
            else
            {
                errors.Add(L.T($"Строка {line}: группа «{groupId}» не описана; добавьте строку kind=group с её id и названием.",
                    $"Line {line}: group '{groupId}' is not described; add a kind=group row with its id and name."));
            }
        }
        return new(users, groups, streams, lines, errors);
    }

    private static List<(List<string> Cells, int Line)> Rows(string csv)
    {
        var rows = new List<(List<string>, int)>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        var line = 1;
        var rowLine = 1;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { if (c == '\n') { line++; } cell.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',' or ';': cells.Add(cell.ToString()); cell.Clear(); break;
                case '\r': break;
                case '\n':
                    cells.Add(cell.ToString()); cell.Clear();
                    rows.Add((cells, rowLine)); cells = [];
                    line++; rowLine = line;
                    break;
                default: cell.Append(c); break;
            }
        }
        if (cell.Length > 0 || cells.Count > 0)
        {
            cells.Add(cell.ToString());
            rows.Add((cells, rowLine));
        }
        return rows;
    }
}
