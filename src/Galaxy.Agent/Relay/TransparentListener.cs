using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Relay;

/// <summary>
/// The listening sockets TPROXY delivers to (the relay's and the resolver's): IP_TRANSPARENT, SO_REUSEADDR so
/// a restarted agent takes its port back at once, and for UDP the original destination of each datagram.
/// </summary>
internal static class TransparentListener
{
    /// <summary>A transparent TCP listener: accepted connections carry the original destination as their local address.</summary>
    /// <param name="reusePort">SO_REUSEPORT: several listeners share the port and the kernel spreads new connections over them.</param>
    public static Socket Tcp(IPEndPoint endPoint, int backlog, SocketFactory? sockets = null, bool reusePort = false) =>
        Create(endPoint, SocketType.Stream, ProtocolType.Tcp, sockets, socket => socket.Listen(backlog), reusePort);

    /// <summary>A transparent UDP listener that reports each datagram's original destination.</summary>
    public static Socket Udp(IPEndPoint endPoint, SocketFactory? sockets = null) =>
        Create(endPoint, SocketType.Dgram, ProtocolType.Udp, sockets, _ => { }, reusePort: false);

    private static Socket Create(IPEndPoint endPoint, SocketType type, ProtocolType protocol, SocketFactory? sockets, Action<Socket> ready, bool reusePort)
    {
        var socket = (sockets ?? SocketFactories.Default)(endPoint.AddressFamily, type, protocol);
        try
        {
            SocketOptions.SetTransparent(socket);
            if (protocol == ProtocolType.Udp)
            {
                SocketOptions.ReceiveOriginalDestination(socket);
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (reusePort)
            {
                SocketOptions.SetReusePort(socket);
            }

            socket.Bind(endPoint);
            ready(socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
