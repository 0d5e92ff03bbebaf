using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>
/// Keyevent channels (e.g. every <c>expired</c> and <c>del</c> of a database) heard from every primary, on a
/// connection of their own. StackExchange.Redis's <see cref="RedisChannel.KeyEvent(KeyNotificationType, int?)"/>
/// subscribes on each node of a cluster (keyspace events are node-local), but in 2.13.23 it does not subscribe
/// again after a subscription connection comes back (a Redis restart, a failover, a killed connection), and
/// subscribing again by hand on the same multiplexer is lost now and then when the connection flaps (seen with
/// two channels). So whenever its subscription connection comes back, or the main connection sees the cluster's
/// topology change, this class waits until things are quiet for a moment, makes a fresh multiplexer, subscribes
/// there, and drops the old one. Events in the gap are lost: <c>renewed</c> is called so the caller can look
/// for what they announced (the courier sweeps the due index).
/// </summary>
public sealed class KeyEventSubscription : IAsyncDisposable
{
    private static readonly TimeSpan QuietFor = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly IConnectionMultiplexer _main;
    private readonly ConfigurationOptions _options;
    private readonly RedisChannel[] _channels;
    private readonly Func<ChannelMessage, Task> _handler;
    private readonly Action? _renewed;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private ConnectionMultiplexer? _events;
    private long _disturbances;

    private KeyEventSubscription(IConnectionMultiplexer main, RedisChannel[] channels, Func<ChannelMessage, Task> handler,
        Action? renewed, ILogger logger)
    {
        _main = main;
        _options = ConfigurationOptions.Parse(main.Configuration);
        _options.AbortOnConnectFail = false;
        _options.ClientName = (_options.ClientName ?? AppDomain.CurrentDomain.FriendlyName) + ":events";
        _channels = channels;
        _handler = handler;
        _renewed = renewed;
        _logger = logger;
    }

    /// <param name="main">The service's multiplexer: its configuration is copied, its topology changes followed.</param>
    /// <param name="renewed">Called after each fresh subscription that replaced an older one.</param>
    public static async Task<KeyEventSubscription> StartAsync(IConnectionMultiplexer main, int database,
        IReadOnlyList<KeyNotificationType> events, Func<ChannelMessage, Task> handler, Action? renewed, ILogger logger)
    {
        var subscription = new KeyEventSubscription(main, [.. events.Select(e => RedisChannel.KeyEvent(e, database))], handler, renewed, logger);
        main.ConfigurationChanged += subscription.OnTopologyChanged;
        try
        {
            await subscription.RenewAsync();
        }
        catch (RedisConnectionException)
        {
            subscription.Disturbed("Redis was not reachable at start");
        }
        return subscription;
    }

    private void OnTopologyChanged(object? sender, EndPointEventArgs e) => Disturbed("the topology changed");

    private void OnEventsRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Disturbed($"the subscription connection to {e.EndPoint} came back");
        }
    }

    /// <summary>Renews once nothing else has disturbed the connections for <see cref="QuietFor"/>.</summary>
    private void Disturbed(string why)
    {
        var generation = Interlocked.Increment(ref _disturbances);
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(QuietFor, _disposed.Token);
                while (Interlocked.Read(ref _disturbances) == generation)
                {
                    try
                    {
                        await RenewAsync();
                        _logger.LogInformation("Subscribed to {Channels} afresh: {Reason}", string.Join(", ", _channels), why);
                        _renewed?.Invoke();
                        return;
                    }
                    catch (RedisConnectionException ex)
                    {
                        _logger.LogWarning(ex, "Subscribing to {Channels} afresh failed; retrying", string.Join(", ", _channels));
                    }
                    await Task.Delay(RetryEvery, _disposed.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
            }
        });
    }

    /// <summary>A fresh multiplexer subscribed to every channel replaces the current one.</summary>
    private async Task RenewAsync()
    {
        await _gate.WaitAsync(_disposed.Token);
        try
        {
            var fresh = await ConnectionMultiplexer.ConnectAsync(_options);
            try
            {
                if (!fresh.IsConnected)
                {
                    throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, $"Redis is not reachable at {_options}");
                }
                var subscriber = fresh.GetSubscriber();
                foreach (var channel in _channels)
                {
                    (await subscriber.SubscribeAsync(channel)).OnMessage(_handler);
                }
            }
            catch
            {
                await fresh.DisposeAsync();
                throw;
            }
            fresh.ConnectionRestored += OnEventsRestored;
            var old = _events;
            _events = fresh;
            if (old is not null)
            {
                old.ConnectionRestored -= OnEventsRestored;
                await old.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _main.ConfigurationChanged -= OnTopologyChanged;
        await _disposed.CancelAsync();
        await _gate.WaitAsync();
        try
        {
            if (_events is not null)
            {
                _events.ConnectionRestored -= OnEventsRestored;
                await _events.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
        _disposed.Dispose();
    }
}
