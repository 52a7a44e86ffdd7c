using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;

namespace Galaxy.Agent.Dns;

/// <summary>
/// Transparent UDP sockets bound to the addresses clients sent their queries to (203.0.113.53:53), so a reply
/// leaves from exactly there: a stub resolver drops a reply from anywhere else ("reply from unexpected
/// source"). Unconnected, so TPROXY's lookup for established sockets skips them and every query still reaches
/// the listener; bounded, the least recently used closed first. Chosen over sendmsg with IP_PKTINFO on the
/// listener because IP_PKTINFO sets only the source address, not the port, and the listener's port (where
/// TPROXY delivers) is usually not 53.
/// </summary>
internal sealed class DnsReplySockets : IDisposable
{
    private readonly int _capacity;
    private readonly SocketFactory _sockets;
    private readonly Dictionary<IPEndPoint, LinkedListNode<Socket>> _byOrigin = [];
    private readonly LinkedList<Socket> _recency = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public DnsReplySockets(int capacity, SocketFactory sockets)
    {
        _capacity = capacity;
        _sockets = sockets;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byOrigin.Count;
            }
        }
    }

    /// <summary>Sends <paramref name="reply"/> to <paramref name="client"/> from <paramref name="origin"/>; false when that failed.</summary>
    public bool TrySend(IPEndPoint origin, IPEndPoint client, ReadOnlySpan<byte> reply)
    {
        Socket socket;
        lock (_lock)
        {
            if (_byOrigin.TryGetValue(origin, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                socket = node.Value;
            }
            else
            {
                if (_disposed || Open(origin) is not { } opened)
                {
                    return false;
                }

                socket = opened;
                _byOrigin[origin] = _recency.AddFirst(socket);
                while (_byOrigin.Count > _capacity && _recency.Last is { } oldest)
                {
                    _recency.RemoveLast();
                    _byOrigin.Remove((IPEndPoint)oldest.Value.LocalEndPoint!);
                    oldest.Value.Dispose();
                }
            }
        }

        try
        {
            return socket.SendTo(reply, SocketFlags.None, client) == reply.Length;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false; // a full buffer or an unreachable client drops the reply, as a router would
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var socket in _recency)
            {
                socket.Dispose();
            }

            _recency.Clear();
            _byOrigin.Clear();
        }
    }

    private Socket? Open(IPEndPoint origin)
    {
        Socket? socket = null;
        try
        {
            socket = _sockets(origin.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            SocketOptions.SetTransparent(socket);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(origin);
            return socket;
        }
        catch (SocketException)
        {
            socket?.Dispose();
            return null;
        }
    }
}
