using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace Ada.Sandbox.Email;

/// <summary>
/// The SMTP server's TCP side: the package's own listener, but with Nagle's algorithm off on each connection.
/// The package flushes every reply on its own, so with Nagle on, the second reply to a pipelined MAIL+RCPT
/// waits for the client's delayed ACK (about 40 ms on Linux) — real servers (Postfix) send pipelined replies
/// together, and a sandbox forty times slower than them would make the benchmark measure the sandbox.
/// </summary>
internal sealed class SmtpListener(Action<int> started) : IEndpointListenerFactory
{
    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start();
        started(((IPEndPoint)listener.LocalEndpoint).Port);
        return new Listener(listener);
    }

    private sealed class Listener(TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
            context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint!);
            return new Connection(client);
        }

        public void Dispose() => listener.Stop();
    }

    /// <summary>A plain TCP connection as the package's pipe; the sandbox speaks no TLS (STARTTLS is not offered).</summary>
    private sealed class Connection(TcpClient client) : ISecurableDuplexPipe
    {
        private readonly NetworkStream _stream = client.GetStream();

        public PipeReader Input { get; } = PipeReader.Create(client.GetStream());

        public PipeWriter Output { get; } = PipeWriter.Create(client.GetStream());

        public bool IsSecure => false;

        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The sandbox's SMTP server speaks no TLS.");

        public void Dispose()
        {
            _stream.Dispose();
            client.Dispose();
        }
    }
}
