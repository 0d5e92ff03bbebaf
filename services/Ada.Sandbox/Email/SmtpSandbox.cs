using System.Buffers;
using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SmtpServerHost = SmtpServer.SmtpServer;

namespace Ada.Sandbox.Email;

/// <summary>
/// An SMTP server on 127.0.0.1 (the SmtpServer package: ESMTP with PIPELINING, 8BITMIME, SMTPUTF8; no TLS, no
/// AUTH), for the email courier. Every envelope recipient of an accepted message gets an inbox entry (channel
/// <c>email</c>): the recipient, the subject, the plain-text body, the Message-ID. Faults hit a message at the
/// end of its DATA (<see cref="EmailFaultMode"/>). The host starts it before it answers HTTP, so a ready sandbox
/// is listening for SMTP too.
/// </summary>
public sealed class SmtpSandbox(IOptions<EmailOptions> options, EmailState state, Inbox inbox, TimeProvider time,
    SandboxChannels channels, ILogger<SmtpSandbox> logger) : BackgroundService
{
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Returns once the server listens (or has failed to), so the host is not ready before SMTP is.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!channels.Email)
        {
            logger.LogInformation("Email is not imitated (Sandbox__Channels): no SMTP server");
            return;
        }
        await base.StartAsync(cancellationToken);
        state.Port = await _listening.Task.WaitAsync(cancellationToken);
        logger.LogInformation("SMTP sandbox listening on 127.0.0.1:{Port}", state.Port);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new SmtpListener(port => _listening.TrySetResult(port)));
        services.Add(new InboxStore(state, inbox, time));
        var server = new SmtpServerHost(
            new SmtpServerOptionsBuilder()
                .ServerName(settings.ServerName)
                .Endpoint(endpoint => endpoint
                    .Endpoint(new IPEndPoint(IPAddress.Loopback, settings.Port))
                    .SessionTimeout(TimeSpan.FromSeconds(settings.SessionTimeoutSeconds)))
                .Build(),
            services);
        server.SessionCreated += (_, _) => state.Counters.Sessions.Add();
        server.SessionFaulted += (_, e) => logger.LogDebug(e.Exception, "An SMTP session ended with a fault");
        try
        {
            await server.StartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _listening.TrySetException(e);
            throw;
        }
        _listening.TrySetException(new InvalidOperationException("The sandbox's SMTP server stopped before it listened."));
    }

    /// <summary>Where an accepted message goes: one inbox entry per envelope recipient, unless a fault takes it first.</summary>
    private sealed class InboxStore(EmailState state, Inbox inbox, TimeProvider time) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            state.Counters.Messages.Add();
            switch (state.Fault.Take())
            {
                case EmailFaultMode.Temporary:
                    state.Counters.Deferred.Add();
                    return new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 Temporary failure, please try again later");
                case EmailFaultMode.Permanent:
                    state.Counters.Rejected.Add();
                    return new SmtpResponse(SmtpReplyCode.MailboxUnavailable,
                        $"5.1.1 <{Address(transaction.To[0])}>: Recipient address rejected: User unknown in local recipient table");
                case EmailFaultMode.Disconnect:
                    state.Counters.Dropped.Add();
                    // Closing the connection under the session: the client gets no reply to its DATA.
                    context.Pipe.Dispose();
                    throw new IOException("The sandbox dropped the SMTP connection (fault 'disconnect').");
            }
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            var receivedAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
            foreach (var recipient in transaction.To.Select(Address))
            {
                inbox.Add(new InboxMessage(EmailState.Channel, recipient, state.NextMessageId(recipient), message.TextBody ?? "",
                    receivedAt, message.MessageId, message.Subject));
                state.Counters.Sent.Add();
            }
            return SmtpResponse.Ok;
        }

        private static string Address(SmtpServer.Mail.IMailbox mailbox) => $"{mailbox.User}@{mailbox.Host}";
    }
}
