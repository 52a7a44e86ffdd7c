using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Tests.Dns;

/// <summary>
/// A DNS "resolver" on 127.0.0.1 (UDP and TCP on one port) that answers with whatever the test says, with the
/// query's id; it counts what it was asked.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;
    private int _tcpQueries;

    /// <summary>(query, over TCP) → the reply (its id is set to the query's), or null to stay silent.</summary>
    public FakeUpstream(Func<byte[], bool, byte[]?> answer)
    {
        Answer = answer;
        (_udp, _tcp) = BindPair();
        EndPoint = (IPEndPoint)_tcp.LocalEndPoint!;
        _tcp.Listen();
        _udpLoop = ServeUdpAsync();
        _tcpLoop = ServeTcpAsync();
    }

    public Func<byte[], bool, byte[]?> Answer { get; set; }

    public IPEndPoint EndPoint { get; }

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    /// <summary>
    /// A UDP and a TCP socket on one free loopback port. The TCP one picks the port: a port the kernel hands out
    /// for UDP may still be held for TCP (a loopback connection, one in TIME_WAIT), so that bind may fail; then
    /// another port is tried.
    /// </summary>
    private static (Socket Udp, Socket Tcp) BindPair()
    {
        for (var attempt = 1; ; attempt++)
        {
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                udp.Bind(tcp.LocalEndPoint!);
                return (udp, tcp);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 20)
            {
                tcp.Dispose();
                udp.Dispose();
            }
        }
    }

    private byte[]? Reply(byte[] query, bool tcp)
    {
        var reply = Answer(query, tcp);
        if (reply is not null)
        {
            reply = (byte[])reply.Clone();
            reply[0] = query[0];
            reply[1] = query[1];
        }

        return reply;
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            var received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            Interlocked.Increment(ref _udpQueries);
            if (Reply(buffer[..received.ReceivedBytes], tcp: false) is { } reply)
            {
                await _udp.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var connection = await _tcp.AcceptAsync(_stop.Token);
            var prefix = new byte[2];
            await connection.ReceiveAsync(prefix, SocketFlags.None, _stop.Token);
            var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            var filled = 0;
            while (filled < query.Length)
            {
                filled += await connection.ReceiveAsync(query.AsMemory(filled), SocketFlags.None, _stop.Token);
            }

            Interlocked.Increment(ref _tcpQueries);
            if (Reply(query, tcp: true) is { } reply)
            {
                var framed = new byte[reply.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                reply.CopyTo(framed, 2);
                await connection.SendAsync(framed, SocketFlags.None, _stop.Token);
            }
        }
    }
}

/// <summary>An egress that dials plainly from the test process (no mark, no device): enough for loopback upstreams.</summary>
internal sealed class LoopbackDialer : IEgressDialer
{
    private int _udpDials;

    public string Name => "loopback";

    public int UdpDials => Volatile.Read(ref _udpDials);

    public async ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(destination, cancellationToken);
            return DialResult.Connected(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return DialResult.FromSocketError(e.SocketErrorCode);
        }
    }

    public DialResult DialUdp(IPEndPoint destination)
    {
        Interlocked.Increment(ref _udpDials);
        var socket = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(destination);
        return DialResult.Connected(socket);
    }
}
