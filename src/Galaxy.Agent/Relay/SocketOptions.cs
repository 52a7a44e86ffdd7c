using System.Net.Sockets;
using System.Text;

namespace Galaxy.Agent.Relay;

/// <summary>The Linux socket options the relay sets, by number (linux/socket.h, linux/in.h, linux/in6.h).</summary>
internal static class SocketOptions
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int SoMark = 36;
    private const int SoReusePort = 15;
    private const int SolIp = 0;
    private const int IpTransparent = 19;
    private const int SolIpv6 = 41;
    private const int Ipv6Transparent = 75;
    private const int IpRecvOriginalDestination = 20;
    private const int Ipv6RecvOriginalDestination = 74;
    private const int SolTcp = 6;
    private const int TcpRepair = 19;

    /// <summary>SO_MARK: the packets of this socket carry <paramref name="mark"/> (policy routing, firewall).</summary>
    public static void SetMark(Socket socket, uint mark) =>
        socket.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(mark));

    /// <summary>SO_REUSEPORT: sockets of the same user may bind the same address and port; the kernel spreads connections over them.</summary>
    public static void SetReusePort(Socket socket) =>
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));

    /// <summary>SO_BINDTODEVICE: this socket sends and receives only through <paramref name="device"/>.</summary>
    public static void BindToDevice(Socket socket, string device) =>
        socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(device + "\0"));

    /// <summary>IP_TRANSPARENT / IPV6_TRANSPARENT: may accept connections for (and reply from) foreign addresses.</summary>
    public static void SetTransparent(Socket socket)
    {
        var on = BitConverter.GetBytes(1);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.SetRawSocketOption(SolIpv6, Ipv6Transparent, on);
            if (!socket.DualMode)
            {
                return;
            }
        }

        socket.SetRawSocketOption(SolIp, IpTransparent, on);
    }

    /// <summary>
    /// TCP_REPAIR (needs CAP_NET_ADMIN): a socket in repair mode closes without sending anything — no FIN, no
    /// reset — which is how a connection TPROXY already accepted is dropped silently. False where refused.
    /// </summary>
    public static bool TrySetRepair(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(SolTcp, TcpRepair, BitConverter.GetBytes(1));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// IP_TRANSPARENT or IPV6_TRANSPARENT for the socket's own family only (a raw IPv6 socket refuses SOL_IP
    /// options, though it reports itself dual-mode).
    /// </summary>
    public static void SetTransparentSingleFamily(Socket socket)
    {
        var on = BitConverter.GetBytes(1);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.SetRawSocketOption(SolIpv6, Ipv6Transparent, on);
        }
        else
        {
            socket.SetRawSocketOption(SolIp, IpTransparent, on);
        }
    }

    /// <summary>IP_RECVORIGDSTADDR / IPV6_RECVORIGDSTADDR: each datagram reports where it was going.</summary>
    public static void ReceiveOriginalDestination(Socket socket)
    {
        var on = BitConverter.GetBytes(1);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.SetRawSocketOption(SolIpv6, Ipv6RecvOriginalDestination, on);
        }
        else
        {
            socket.SetRawSocketOption(SolIp, IpRecvOriginalDestination, on);
        }
    }
}
