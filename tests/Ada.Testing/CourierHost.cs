using Ada.Core;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ada.Testing;

/// <summary>
/// One courier instance inside the test process: the real runtime (CourierService, DeliveryRunner, CourierStore,
/// CourierRegistry, DirectoryStore) on its own connection, around a sender — a fake provider (Ada.Core.Tests) or
/// a real sender talking to the in-memory sandbox (Ada.Couriers.Vk.Tests). The host disposes a sender that is disposable.
/// </summary>
public sealed class CourierHost : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _mux;
    private readonly CourierService _service;
    private readonly IChannelSender _sender;

    private CourierHost(ConnectionMultiplexer mux, CourierService service, IChannelSender sender)
    {
        _mux = mux;
        _service = service;
        _sender = sender;
    }

    /// <summary>Short leases, sweeps and heartbeats, so crash scenarios take seconds; the runtime's own attempt limits.</summary>
    public static CourierOptions QuickLeases() => new()
    {
        LeaseSeconds = 2,
        SweepSeconds = 1,
        RenewMilliseconds = 200,
        HeartbeatSeconds = 1,
    };

    /// <summary><see cref="QuickLeases"/>, and a provider that keeps failing is given up on after a few attempts.</summary>
    public static CourierOptions FastOptions()
    {
        var options = QuickLeases();
        options.MaxAttempts = 3;
        options.MaxThrottledAttempts = 5;
        return options;
    }

    public string Owner => _service.Owner;

    /// <summary>Starts the instance (with <see cref="FastOptions"/> unless told otherwise) and returns once it is subscribed (its first heartbeat follows the subscription).</summary>
    public static Task<CourierHost> StartAsync(
        TestDatabase database, IChannelSender sender, ITestOutputHelper output, CourierOptions? options = null) =>
        StartAsync(database, _ => sender, output, options);

    /// <param name="sender">Makes the sender on the instance's own connection.</param>
    public static async Task<CourierHost> StartAsync(
        TestDatabase database, Func<ConnectionMultiplexer, IChannelSender> sender, ITestOutputHelper output, CourierOptions? options = null)
    {
        var settings = options ?? FastOptions();
        var mux = await database.ConnectAgainAsync();
        var channelSender = sender(mux);
        var time = TimeProvider.System;
        var store = new CourierStore(mux, TestDatabase.Scripts);
        var directory = new DirectoryStore(mux, TestDatabase.Scripts);
        var registry = new CourierRegistry(mux, time);
        var runner = new DeliveryRunner(mux, store, directory, channelSender, settings, time, new TestLogger<DeliveryRunner>(output));
        var service = new CourierService(mux, store, registry, runner, channelSender, Options.Create(settings), time,
            new TestLogger<CourierService>(output));
        await service.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(
            async () => (await mux.GetDatabase().SortedSetScoreAsync(Keys.Couriers(channelSender.Channel), service.Owner)).HasValue,
            TimeSpan.FromSeconds(10), "the courier's first heartbeat");
        return new CourierHost(mux, service, channelSender);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
        (_sender as IDisposable)?.Dispose();
        await _mux.DisposeAsync();
    }
}
