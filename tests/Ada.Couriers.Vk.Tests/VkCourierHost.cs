using Ada.Core.Directory;
using StackExchange.Redis;

namespace Ada.Couriers.Vk.Tests;

/// <summary>
/// One VK courier instance inside the test process: the real runtime (CourierService, DeliveryRunner, …) on its
/// own Redis connection around a real VkSender, whose client talks to the in-memory sandbox.
/// </summary>
public sealed class VkCourierHost : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _mux;
    private readonly CourierService _service;
    private readonly VkSender _sender;

    private VkCourierHost(ConnectionMultiplexer mux, CourierService service, VkSender sender)
    {
        _mux = mux;
        _service = service;
        _sender = sender;
    }

    /// <summary>Short leases and sweeps so crash scenarios take seconds.</summary>
    public static CourierOptions FastOptions() => new()
    {
        LeaseSeconds = 2,
        SweepSeconds = 1,
        RenewMilliseconds = 200,
        HeartbeatSeconds = 1,
    };

    public static async Task<VkCourierHost> StartAsync(TestDatabase database, VkSandbox sandbox, ITestOutputHelper output,
        Action<VkOptions>? configure = null)
    {
        var settings = FastOptions();
        var mux = await database.ConnectAgainAsync();
        var time = TimeProvider.System;
        var options = sandbox.Options(configure);
        var sender = new VkSender(sandbox.Client(options), MsOptions.Create(options), mux, TestDatabase.Scripts, new TestLogger<VkSender>(output));
        var store = new CourierStore(mux, TestDatabase.Scripts);
        var runner = new DeliveryRunner(mux, store, new DirectoryStore(mux, TestDatabase.Scripts), sender, settings, time,
            new TestLogger<DeliveryRunner>(output));
        var service = new CourierService(mux, store, new CourierRegistry(mux, time), runner, sender, MsOptions.Create(settings), time,
            new TestLogger<CourierService>(output));
        await service.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(
            async () => (await mux.GetDatabase().SortedSetScoreAsync(Keys.Couriers(sender.Channel), service.Owner)).HasValue,
            TimeSpan.FromSeconds(10), "the courier's first heartbeat");
        return new VkCourierHost(mux, service, sender);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
        _sender.Dispose();
        await _mux.DisposeAsync();
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
