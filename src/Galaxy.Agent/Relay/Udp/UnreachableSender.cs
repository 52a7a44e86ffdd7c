using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>
/// Answers refused UDP datagrams with ICMP port unreachable, sent from the original destination's address
/// (a transparent raw socket bound to it, made for the one message), at most <c>perSecond</c> a second like
/// the kernel's own ICMP rate limit, so a flood of refused datagrams costs little. Used by the UDP relay's
/// thread only.
/// </summary>
internal sealed class UnreachableSender(SocketFactory sockets, int perSecond = 100)
{
    private readonly byte[] _message = new byte[IcmpUnreachable.MaxLength];
    private long _windowStart;
    private int _sentInWindow;

    /// <summary>Sends one unreachable to <paramref name="client"/>; false when rate-limited or the send failed.</summary>
    public bool TrySend(IPEndPoint client, IPEndPoint destination, int datagramLength, ReadOnlySpan<byte> head, long now)
    {
        if (client.AddressFamily != destination.AddressFamily)
        {
            return false; // no ICMP message can quote such a datagram (the relay drops them before this)
        }

        if (now - _windowStart >= 1000)
        {
            _windowStart = now;
            _sentInWindow = 0;
        }

        if (_sentInWindow >= perSecond)
        {
            return false;
        }

        _sentInWindow++;
        var length = IcmpUnreachable.Write(_message, client, destination, datagramLength, head);
        var v6 = client.AddressFamily == AddressFamily.InterNetworkV6;
        try
        {
            using var socket = sockets(client.AddressFamily, SocketType.Raw, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp);
            SocketOptions.SetTransparentSingleFamily(socket);
            socket.Bind(new IPEndPoint(destination.Address, 0));
            socket.SendTo(_message.AsSpan(0, length), SocketFlags.None, new IPEndPoint(client.Address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false; // no right to raw sockets, or out of descriptors: the client just times out
        }
    }
}
