using System.Globalization;

namespace Ada.Sandbox;

/// <summary>Ids listed in a setting or a request (Telegram chats, VK peers): comma-separated integers, e.g. <c>42,-1001234</c>.</summary>
public static class IdList
{
    public static bool TryParse(string? list, out long[] ids)
    {
        var parts = (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ids = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ids[i]))
            {
                return false;
            }
        }

        return true;
    }
}
