using System.Net.Sockets;
using Ada.Core.Couriers;
using Ada.Core.Hosting;
using Ada.Core.Messages;
using Ada.Core.Redis;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using StackExchange.Redis;

namespace Ada.Couriers.Email;

/// <summary>
/// Sends email over SMTP: one message per person (their own <c>To</c> and <c>Message-ID</c>), several at once over
/// the instance's pooled sessions (<see cref="SmtpConnections"/>), paced across every instance by the Redis token
/// bucket <c>rate:email</c>. What the server answers decides the receipt (<see cref="SmtpReplies"/>): 2xx → sent,
/// the Message-ID as the provider id; 4xx → retried with backoff; 5xx → failed with the server's reply; a dropped
/// connection, a timeout or a refused login → retried on a new connection.
/// </summary>
public sealed class EmailSender : IChannelSender, IDisposable
{
    private readonly SmtpConnections _connections;
    private readonly EmailOptions _options;
    private readonly MailboxAddress _from;
    private readonly RedisRateLimiter _pace;
    private readonly TimeProvider _time;
    private readonly ILogger<EmailSender> _logger;

    public EmailSender(SmtpConnections connections, IOptions<EmailOptions> options, IConnectionMultiplexer mux, AdaScripts scripts,
        TimeProvider time, ILogger<EmailSender> logger)
    {
        _connections = connections;
        _options = options.Value;
        _from = _options.Sender;
        _time = time;
        _logger = logger;
        _pace = new RedisRateLimiter(mux, scripts, Channel, _options.MessagesPerSecond);
    }

    public string Channel => Channels.Email;

    /// <summary>About a second of sending at the configured pace: progress and cancellation stay prompt.</summary>
    public int BatchSize => _options.MessagesPerSecond <= 0 ? 500 : (int)Math.Clamp(_options.MessagesPerSecond, 10, 500);

    public Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        CancellationToken stop) => SendAsync(message, addressees, _ => { }, stop);

    /// <summary>Tells <paramref name="done"/> each person's outcome as soon as the server answers, so the runtime records it at once.</summary>
    public async Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        Action<SendOutcome> done, CancellationToken stop)
    {
        var outcomes = new SendOutcome[addressees.Count];
        var sends = new List<Task>(addressees.Count);
        for (var i = 0; i < addressees.Count; i++)
        {
            if (!MailboxAddress.TryParse(addressees[i].Address, out var to) || !to.Address.Contains('@', StringComparison.Ordinal))
            {
                outcomes[i] = new SendOutcome.Failed(addressees[i], "bad_address", $"'{addressees[i].Address}' is not an email address");
                done(outcomes[i]);
                continue;
            }
            SmtpConnections.SmtpConnection connection;
            try
            {
                connection = await _connections.RentAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                // Urgent messages take the channel's pace first; others share it in turn (first come, first served).
                await _pace.WaitAsync(stop, message.Urgent);
            }
            catch (OperationCanceledException)
            {
                _connections.Return(connection);
                break;
            }
            var index = i;
            var mail = EmailComposer.Compose(_from, to, message, _time.GetUtcNow());
            sends.Add(Task.Run(async () =>
            {
                try
                {
                    outcomes[index] = await SendOneAsync(connection, addressees[index], mail);
                    done(outcomes[index]);
                }
                finally
                {
                    _connections.Return(connection);
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(sends);
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] ??= new SendOutcome.Retry(addressees[i], "stopped", "not sent before the courier stopped", TimeSpan.Zero);
        }
        return outcomes;
    }

    private async Task<SendOutcome> SendOneAsync(SmtpConnections.SmtpConnection connection, Addressee to, MimeMessage mail)
    {
        try
        {
            // No stop token: a message the server has started to take must finish, so its receipt can be written;
            // the client's Timeout bounds every command.
            await connection.SendAsync(mail, CancellationToken.None);
            return new SendOutcome.Sent(to, mail.MessageId);
        }
        catch (SmtpCommandException e)
        {
            var outcome = SmtpReplies.ToOutcome(to, e);
            (outcome is SendOutcome.Retry { Throttled: true } ? AdaMetrics.ProviderThrottles : AdaMetrics.ProviderErrors).WithLabels(Channel).Inc();
            if (outcome is SendOutcome.Retry)
            {
                _logger.LogWarning("The SMTP server deferred the email of {UserId}: {Reply}", to.UserId, SmtpReplies.Reply(e));
            }
            return outcome;
        }
        catch (AuthenticationException e)
        {
            AdaMetrics.ProviderErrors.WithLabels(Channel).Inc();
            _logger.LogError(e, "The SMTP server refused Ada's login (Email__Username, Email__Password)");
            return new SendOutcome.Retry(to, "auth", $"the SMTP server refused the login: {e.Message}");
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException
            or SslHandshakeException or TimeoutException or OperationCanceledException)
        {
            AdaMetrics.ProviderErrors.WithLabels(Channel).Inc();
            _logger.LogWarning(e, "Sending the email of {UserId} failed on the connection", to.UserId);
            var reason = e is OperationCanceledException or TimeoutException ? "the SMTP server did not answer in time" : e.Message;
            return new SendOutcome.Retry(to, "network", reason);
        }
    }

    public void Dispose() => _pace.Dispose();
}
