using Ada.Core.Couriers;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>
/// One keyevent channel (e.g. every <c>expired</c> of a database) heard from every primary.
/// StackExchange.Redis's <see cref="RedisChannel.KeyEvent(KeyNotificationType, int?)"/> subscribes on each node
/// of a cluster (keyspace events are node-local) and on nodes that join later, but in 2.13.23 it does not
/// subscribe again after a subscription connection comes back (a Redis restart, a failover, a killed
/// connection): from the first reconnect on, nothing would be heard. So this class subscribes again itself
/// after every restored subscription connection, retrying while Redis is still away.
/// </summary>
public sealed class KeyEventSubscription : IAsyncDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly IConnectionMultiplexer _mux;
    private readonly RedisChannel _channel;
    private readonly Func<ChannelMessage, Task> _handler;
    private readonly ILogger _logger;
    private readonly Action? _resubscribed;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private ChannelMessageQueue? _queue;

    private KeyEventSubscription(IConnectionMultiplexer mux, RedisChannel channel, Func<ChannelMessage, Task> handler,
        Action? resubscribed, ILogger logger)
    {
        _mux = mux;
        _channel = channel;
        _handler = handler;
        _resubscribed = resubscribed;
        _logger = logger;
    }

    /// <param name="resubscribed">Called after each subscription made again: events of the gap are lost, so look for what they announced.</param>
    public static async Task<KeyEventSubscription> StartAsync(IConnectionMultiplexer mux, KeyNotificationType type, int database,
        Func<ChannelMessage, Task> handler, Action? resubscribed, ILogger logger)
    {
        var subscription = new KeyEventSubscription(mux, RedisChannel.KeyEvent(type, database), handler, resubscribed, logger);
        await subscription.SubscribeAsync();
        mux.ConnectionRestored += subscription.OnRestored;
        return subscription;
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Subscription)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            while (!_disposed.IsCancellationRequested)
            {
                try
                {
                    await SubscribeAsync();
                    _logger.LogInformation("Subscribed to {Channel} again after the connection to {Endpoint} was restored", _channel, e.EndPoint);
                    _resubscribed?.Invoke();
                    return;
                }
                catch (Exception ex) when (TransientRedis.Is(ex))
                {
                    _logger.LogWarning(ex, "Subscribing to {Channel} again failed; retrying", _channel);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                try
                {
                    await Task.Delay(RetryEvery, _disposed.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    /// <summary>Drops the old subscription (which the client may still believe in) and subscribes afresh.</summary>
    private async Task SubscribeAsync()
    {
        await _gate.WaitAsync(_disposed.Token);
        try
        {
            if (_queue is not null)
            {
                await _queue.UnsubscribeAsync();
            }
            _queue = await _mux.GetSubscriber().SubscribeAsync(_channel);
            _queue.OnMessage(_handler);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _mux.ConnectionRestored -= OnRestored;
        await _disposed.CancelAsync();
        await _gate.WaitAsync();
        try
        {
            if (_queue is not null)
            {
                await _queue.UnsubscribeAsync();
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
