namespace Ada.EndToEnd.Tests;

/// <summary>A person of a test directory and the contacts they have (null = none on that channel).</summary>
public sealed record Person(string Id, string? Telegram = null, string? Vk = null, string? Sms = null, string Role = "student")
{
    public Dictionary<string, string> Contacts()
    {
        var contacts = new Dictionary<string, string>();
        if (Telegram is not null)
        {
            contacts["telegram"] = Telegram;
        }
        if (Vk is not null)
        {
            contacts["vk"] = Vk;
        }
        if (Sms is not null)
        {
            contacts["sms"] = Sms;
        }
        return contacts;
    }

    /// <summary>This person's address on <paramref name="channel"/>, or null.</summary>
    public string? Address(string channel) => channel switch
    {
        "telegram" => Telegram,
        "vk" => Vk,
        "sms" => Sms,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    public object ToImport() => new { id = Id, name = $"Person {Id}", role = Role, contacts = Contacts() };
}

/// <summary>Directories, queueing and waiting, shared by the multichannel tests.</summary>
public static class People
{
    public static readonly string[] Channels = ["telegram", "vk", "sms"];

    /// <summary>
    /// <paramref name="count"/> students cycling through every mix of channels: Telegram only, VK only, SMS
    /// only, all three, none. Addresses are unique per <paramref name="seed"/> (two digits).
    /// </summary>
    public static List<Person> Students(string prefix, int seed, int count) =>
        Enumerable.Range(1, count).Select(i =>
        {
            var tg = (7_000_000 + seed * 1000 + i).ToString(CultureInfo.InvariantCulture);
            var vk = (6_000_000 + seed * 1000 + i).ToString(CultureInfo.InvariantCulture);
            var sms = string.Create(CultureInfo.InvariantCulture, $"+7999{seed:00}{i:00000}");
            return (i % 5) switch
            {
                1 => new Person($"{prefix}-s{i}", Telegram: tg),
                2 => new Person($"{prefix}-s{i}", Vk: vk),
                3 => new Person($"{prefix}-s{i}", Sms: sms),
                4 => new Person($"{prefix}-s{i}", tg, vk, sms),
                _ => new Person($"{prefix}-s{i}"),
            };
        }).ToList();

    public static async Task ImportAsync(AdaStack ada, IEnumerable<Person> people,
        params (string Id, string Name, IEnumerable<Person> Members, string[] Owners)[] groups)
    {
        using var response = await ada.Admin.PostAsJsonAsync("/v1/import", new
        {
            users = people.Select(p => p.ToImport()),
            groups = groups.Select(g => new { id = g.Id, name = g.Name, members = g.Members.Select(m => m.Id), owners = g.Owners }),
        });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static async Task<string> QueueNowAsync(HttpClient client, string text, string group)
    {
        using var response = await client.PostAsJsonAsync("/v1/queue", new { text, to = new { groups = new[] { group } } });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    public static Task<JsonObject> WaitHistoryAsync(AdaStack ada, string id, Func<JsonObject, bool> done, string what,
        TimeSpan? within = null) =>
        Eventually.WaitAsync(
            async () => (await ada.Admin.GetFromJsonAsync<JsonObject>($"/v1/history/{Uri.EscapeDataString(id)}"))!,
            done, within ?? TimeSpan.FromSeconds(30), $"message {id}: {what}");

    public static Task<JsonObject> WaitDoneAsync(AdaStack ada, string id, TimeSpan? within = null) =>
        WaitHistoryAsync(ada, id, h => h["state"]!.GetValue<string>() == "done", "done", within);

    public static async Task<JsonArray> ReceiptsAsync(AdaStack ada, string id) =>
        (await ada.Admin.GetFromJsonAsync<JsonArray>($"/v1/history/{Uri.EscapeDataString(id)}/receipts"))!;

    public static int Count(JsonNode? section, string field) => section?[field]?.GetValue<int>() ?? 0;

    /// <summary>
    /// Every person with an address on a channel received <paramref name="text"/> there exactly once, and nobody
    /// else received anything on it (the sandbox's inboxes are per stack).
    /// </summary>
    public static async Task AssertEachReceivedOnceAsync(AdaStack ada, IReadOnlyCollection<Person> people, string text)
    {
        foreach (var channel in Channels)
        {
            var inbox = (await ada.InboxAsync(channel, null)).Where(m => m!["text"]!.GetValue<string>() == text).ToList();
            var byChat = inbox.GroupBy(m => m!["chatId"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
            var expected = people.Select(p => p.Address(channel)).OfType<string>().Order().ToList();
            Assert.Equal(expected, byChat.Keys.Order().ToList());
            Assert.All(byChat, chat => Assert.True(chat.Value == 1, $"{channel} chat {chat.Key} received the text {chat.Value} times"));
        }
    }
}
