using System.Net;
using System.Net.Sockets;

namespace Ada.Stack;

/// <summary>Loopback ports: a free one for a process of a test, or whether a chosen one is free.</summary>
public static class Ports
{
    /// <summary>A port the kernel says is free now (it may be taken again before the process binds it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether nothing listens on 127.0.0.1:<paramref name="port"/> (it can be bound).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
