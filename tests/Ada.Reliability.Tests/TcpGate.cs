using System.Net.Sockets;

namespace Ada.Reliability.Tests;

/// <summary>
/// A TCP port that refuses connections until <see cref="Open"/> (nothing listens: "connection refused"), then
/// forwards every connection to <paramref name="target"/>. Lets a test take a provider off the network and
/// bring it back without restarting it.
/// </summary>
public sealed class TcpGate(int target) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _accepting;

    public int Port { get; } = Ports.Free();
    public Uri Address => new($"http://127.0.0.1:{Port}/");
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    public void Open()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _accepting = AcceptAsync(_listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                var a = client.GetStream();
                var b = upstream.GetStream();
                var one = a.CopyToAsync(b, _stop.Token);
                var other = b.CopyToAsync(a, _stop.Token);
                await Task.WhenAny(one, other);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        if (_accepting is not null)
        {
            await _accepting;
        }
        _stop.Dispose();
    }
}
