using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Ada.Couriers.Email;

/// <summary>
/// The instance's SMTP sessions: at most <see cref="EmailOptions.Concurrency"/>, each used for one message at a
/// time and for many messages in turn. A message rents a session and gives it back; the most recently used
/// idle session is rented first, so a quiet courier keeps few sessions warm. Sessions connect when first used.
/// </summary>
public sealed class SmtpConnections : IDisposable
{
    private readonly EmailOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpConnections> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<SmtpConnection> _idle = new();
    private long _opened;

    public SmtpConnections(IOptions<EmailOptions> options, TimeProvider time, ILogger<SmtpConnections> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.Concurrency);
    }

    /// <summary>SMTP connections opened so far (a session reconnects after a fault or after MessagesPerConnection).</summary>
    public long Opened => Interlocked.Read(ref _opened);

    public async Task<SmtpConnection> RentAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return _idle.TryPop(out var connection) ? connection : new SmtpConnection(this);
    }

    public void Return(SmtpConnection connection)
    {
        _idle.Push(connection);
        _slots.Release();
    }

    public void Dispose()
    {
        while (_idle.TryPop(out var connection))
        {
            connection.Dispose();
        }
        _slots.Dispose();
    }

    /// <summary>
    /// One SMTP session that outlives the message it sends. A failure other than the server's answer to a
    /// command (I/O, protocol, timeout, TLS, AUTH, a 421 "closing") drops the connection; the next message
    /// on this session connects afresh. After a command refused with a reply, MailKit has sent RSET and the
    /// session goes on.
    /// </summary>
    public sealed class SmtpConnection(SmtpConnections pool) : IDisposable
    {
        private SmtpClient? _client;
        private int _sent;
        private long _lastUsed;

        public async Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            try
            {
                var client = await ReadyAsync(cancellationToken);
                var reply = await client.SendAsync(message, cancellationToken);
                _sent++;
                _lastUsed = pool._time.GetTimestamp();
                return reply;
            }
            catch (SmtpCommandException e) when (e.StatusCode != SmtpStatusCode.ServiceNotAvailable && _client?.IsConnected == true)
            {
                _lastUsed = pool._time.GetTimestamp();
                throw;
            }
            catch
            {
                Drop();
                throw;
            }
        }

        private async Task<SmtpClient> ReadyAsync(CancellationToken cancellationToken)
        {
            var options = pool._options;
            if (_client is { IsConnected: true } && _sent >= options.MessagesPerConnection)
            {
                await QuitAsync();
            }
            if (_client is { IsConnected: true } && pool._time.GetElapsedTime(_lastUsed) > TimeSpan.FromSeconds(options.IdleSeconds))
            {
                try
                {
                    await _client.NoOpAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The server closed the idle session; a new one is opened below.
                    Drop();
                }
            }
            if (_client is { IsConnected: true })
            {
                return _client;
            }
            Drop();
            var client = new SmtpClient { Timeout = options.TimeoutSeconds * 1000 };
            _client = client;
            await client.ConnectAsync(await OpenSocketAsync(options, cancellationToken), options.Host, options.EffectivePort,
                options.SecurityOptions, cancellationToken);
            if (!string.IsNullOrEmpty(options.Username))
            {
                await client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
            }
            _sent = 0;
            Interlocked.Increment(ref pool._opened);
            pool._logger.LogDebug("Connected to {Host}:{Port} for email", options.Host, options.EffectivePort);
            return client;
        }

        /// <summary>
        /// The TCP connection, with Nagle's algorithm off: SMTP is short commands and replies in turn (MAIL, RCPT,
        /// DATA, the body, the final dot), and with it on each small write after the first waits for the peer's
        /// delayed ACK — about 40 ms a message, most of its time on a fast network.
        /// </summary>
        private static async Task<Socket> OpenSocketAsync(EmailOptions options, CancellationToken cancellationToken)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
            try
            {
                await socket.ConnectAsync(options.Host, options.EffectivePort, timeout.Token);
                return socket;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new TimeoutException($"Connecting to {options.Host}:{options.EffectivePort} took longer than {options.TimeoutSeconds} s.");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        private async Task QuitAsync()
        {
            try
            {
                await _client!.DisconnectAsync(quit: true, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or SmtpCommandException or TimeoutException or OperationCanceledException)
            {
                // Closing anyway.
            }
            Drop();
        }

        private void Drop()
        {
            _client?.Dispose();
            _client = null;
        }

        public void Dispose() => Drop();
    }
}
