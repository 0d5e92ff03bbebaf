using System.Text;

namespace Ada.Web.Services;

/// <summary>
/// The directory CSV layout (a header row, then one person a row): <c>id,name,role,telegram,vk,sms,email,timezone</c>;
/// columns may come in any order, contact columns may be left out or empty. Turned into the body of
/// <c>POST /v1/import</c>, keeping each person's CSV line number so the API's errors (<c>users[3].role</c>)
/// can be shown on their line.
/// </summary>
public static class CsvDirectory
{
    public static readonly string[] Columns = ["id", "name", "role", "telegram", "vk", "sms", "email", "timezone"];
    private static readonly string[] ContactColumns = ["telegram", "vk", "sms", "email"];
    private static readonly string[] Required = ["id", "name", "role"];

    public sealed record Parsed(List<Dictionary<string, object?>> Users, List<int> Lines, List<string> Errors);

    public static Parsed Parse(string csv)
    {
        var rows = Rows(csv);
        var users = new List<Dictionary<string, object?>>();
        var lines = new List<int>();
        var errors = new List<string>();
        if (rows.Count == 0)
        {
            errors.Add(L.T("Файл пуст.", "The file is empty."));
            return new(users, lines, errors);
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
        foreach (var (cells, line) in rows.Skip(1))
        {
            if (cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            string Cell(string column) => header.IndexOf(column) is var i and >= 0 && i < cells.Count ? cells[i].Trim() : "";
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
            lines.Add(line);
        }
        return new(users, lines, errors);
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
