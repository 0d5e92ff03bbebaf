using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ada.Core.Tests;

/// <summary>
/// One courier instance inside the test process: the real runtime (CourierService, DeliveryRunner,
/// CourierStore, CourierRegistry, DirectoryStore) on its own connection, around a fake provider.
/// </summary>
public sealed class CourierHost : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _mux;
    private readonly CourierService _service;

    private CourierHost(ConnectionMultiplexer mux, CourierService service)
    {
        _mux = mux;
        _service = service;
    }

    /// <summary>Small leases and sweeps so crash and cancel scenarios take seconds.</summary>
    public static CourierOptions FastOptions() => new()
    {
        LeaseSeconds = 2,
        SweepSeconds = 1,
        RenewMilliseconds = 200,
        HeartbeatSeconds = 1,
        MaxAttempts = 3,
        MaxThrottledAttempts = 5,
    };

    public string Owner => _service.Owner;

    /// <summary>Starts the instance and returns once it is subscribed (its first heartbeat follows the subscription).</summary>
    public static async Task<CourierHost> StartAsync(
        TestDatabase database, IChannelSender sender, ITestOutputHelper output, CourierOptions? options = null)
    {
        var settings = options ?? FastOptions();
        var mux = await database.ConnectAgainAsync();
        var time = TimeProvider.System;
        var store = new CourierStore(mux, TestDatabase.Scripts);
        var directory = new DirectoryStore(mux, TestDatabase.Scripts);
        var registry = new CourierRegistry(mux, time);
        var runner = new DeliveryRunner(mux, store, directory, sender, settings, time, new TestLogger<DeliveryRunner>(output));
        var service = new CourierService(mux, store, registry, runner, sender, Options.Create(settings), time,
            new TestLogger<CourierService>(output));
        await service.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(
            async () => (await mux.GetDatabase().SortedSetScoreAsync(Keys.Couriers(sender.Channel), service.Owner)).HasValue,
            TimeSpan.FromSeconds(10), "the courier's first heartbeat");
        return new CourierHost(mux, service);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
        await _mux.DisposeAsync();
    }
}

/// <summary>Runtime logs in the test's output, so a failing scenario shows what the courier did.</summary>
public sealed class TestLogger<T>(ITestOutputHelper output) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {typeof(T).Name}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
