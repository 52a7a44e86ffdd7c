using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// A UDP client socket inside a lab host. It is not connected, so the kernel hands it a reply from any
/// address, and the test sees exactly where each reply came from. Every receive has a deadline.
/// </summary>
internal sealed class UdpProbe : IDisposable
{
    private readonly Socket _socket;

    private UdpProbe(Socket socket)
    {
        _socket = socket;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public static UdpProbe Open(LabHost host, AddressFamily family = AddressFamily.InterNetwork)
    {
        var socket = NetworkNamespace.Run(host.NamespacePath, () => new Socket(family, SocketType.Dgram, ProtocolType.Udp));
        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        return new UdpProbe(socket);
    }

    /// <summary>
    /// Connects the socket to <paramref name="destination"/>: the kernel then filters replies to that source and
    /// reports an ICMP port unreachable about it as ECONNREFUSED on the next receive.
    /// </summary>
    public void Connect(IPEndPoint destination) => _socket.Connect(destination);

    /// <summary>Sends on a connected socket.</summary>
    public void Send(string payload) => _socket.Send(Encoding.ASCII.GetBytes(payload));

    /// <summary>What the next receive ends with: a datagram, an error such as ConnectionRefused, or TimedOut.</summary>
    public async Task<SocketError> ReceiveErrorAsync(TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _socket.ReceiveAsync(new byte[65536], SocketFlags.None, deadline.Token);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return SocketError.TimedOut;
        }
    }

    public void Send(IPEndPoint destination, string payload) =>
        _socket.SendTo(Encoding.ASCII.GetBytes(payload), destination);

    /// <summary>The next datagram and its source; null when none came within <paramref name="timeout"/>.</summary>
    public async Task<(string Text, IPEndPoint From)?> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[65536];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        var any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        try
        {
            var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, deadline.Token);
            var from = (IPEndPoint)received.RemoteEndPoint;
            return (Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes),
                from.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(from.Address.MapToIPv4(), from.Port) : from);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Sends one datagram and fails unless a reply comes within <paramref name="timeout"/>.</summary>
    public async Task<(string Text, IPEndPoint From)> ExchangeAsync(IPEndPoint destination, string payload, TimeSpan timeout)
    {
        Send(destination, payload);
        var reply = await ReceiveAsync(timeout);
        Assert.True(reply.HasValue, $"no reply to a datagram from {LocalEndPoint} to {destination} within {timeout.TotalSeconds:0.#} s");
        return reply.Value;
    }

    public void Dispose() => _socket.Dispose();
}
