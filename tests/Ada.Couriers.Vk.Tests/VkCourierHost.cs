using StackExchange.Redis;

namespace Ada.Couriers.Vk.Tests;

/// <summary>
/// One VK courier instance inside the test process: the shared <see cref="CourierHost"/> around a real VkSender,
/// on the instance's own Redis connection, whose client talks to the in-memory sandbox.
/// </summary>
public static class VkCourierHost
{
    /// <remarks>Quick leases but the runtime's own attempt limits: the slow-down test is answered error 6 again and again.</remarks>
    public static Task<CourierHost> StartAsync(TestDatabase database, VkSandbox sandbox, ITestOutputHelper output,
        Action<VkOptions>? configure = null)
    {
        var options = sandbox.Options(configure);
        return CourierHost.StartAsync(database,
            mux => new VkSender(sandbox.Client(options), MsOptions.Create(options), mux, TestDatabase.Scripts, new TestLogger<VkSender>(output)),
            output, CourierHost.QuickLeases());
    }
}

/// <summary>Messages to VK as the API would queue them, to students whose VK ids are in <c>contacts:vk</c>.</summary>
public static class VkMessages
{
    public static long PeerOf(int student) => 100_000 + student;

    public static List<string> Students(int count) => [.. Enumerable.Range(1, count).Select(i => $"s{i}")];

    /// <summary>Students s1…sN with VK ids 100001…; every one has a contact.</summary>
    public static async Task AddContactsAsync(TestDatabase database, int count)
    {
        var entries = Enumerable.Range(1, count)
            .Select(i => new HashEntry($"s{i}", PeerOf(i).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        await database.Db.HashSetAsync(Keys.Contacts(Channels.Vk), entries);
    }

    public static async Task<HistoryDocument> EnqueueAsync(TestDatabase database, IReadOnlyList<string> recipients, string text)
    {
        return await database.EnqueueDueNowAsync(Channels.Vk, recipients, text);
    }

    public static Task<HistoryDocument> WaitDoneAsync(TestDatabase database, string id, TimeSpan within) =>
        Eventually.WaitAsync(
            async () => (await database.Messages.GetHistoryAsync(id))!,
            h => h.State == MessageStates.Done,
            within, $"{id} to be done");

    public static async Task<Receipt> ReceiptAsync(TestDatabase database, string id, string userId)
    {
        var json = await database.Db.HashGetAsync(Keys.Receipts(id), $"{Channels.Vk}:{userId}");
        return AdaJson.Deserialize<Receipt>(json.ToString())!;
    }
}
