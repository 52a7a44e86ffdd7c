using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay.Tcp;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Relay;

/// <summary>
/// The relay's transparent listeners on 127.0.0.1 and [::1] at one port, where the firewall's TPROXY rules
/// deliver LAN flows of each family: TCP (<see cref="TcpRelayOptions.AcceptLoops"/> sockets per address) and
/// UDP (one per address). IPv6 is optional: where the host has no IPv6 loopback the IPv6 listeners are
/// skipped with a warning, and the tproxy rule falls through to its drop (closed, not leaked).
/// </summary>
internal sealed record RelayListeners(IReadOnlyList<Socket> Tcp, IReadOnlyList<Socket> Udp)
{
    public static RelayListeners Open(int port, TcpRelayOptions options, ILogger logger, SocketFactory? sockets = null)
    {
        var tcp = new List<Socket>();
        var udp = new List<Socket>();
        try
        {
            foreach (var address in (IPAddress[])[IPAddress.Loopback, IPAddress.IPv6Loopback])
            {
                var endPoint = new IPEndPoint(address, port);
                try
                {
                    var tcpListeners = TcpRelay.Listen(endPoint, options.Backlog, options.AcceptLoops, sockets);
                    try
                    {
                        udp.Add(TransparentListener.Udp(endPoint, sockets));
                    }
                    catch
                    {
                        Array.ForEach(tcpListeners, l => l.Dispose());
                        throw;
                    }

                    tcp.AddRange(tcpListeners);
                }
                catch (SocketException e) when (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    RelayLog.Ipv6Unavailable(logger, endPoint, e.Message);
                }
            }

            return new RelayListeners(tcp, udp);
        }
        catch
        {
            tcp.ForEach(s => s.Dispose());
            udp.ForEach(s => s.Dispose());
            throw;
        }
    }
}
