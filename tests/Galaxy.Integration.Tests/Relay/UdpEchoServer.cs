using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// A UDP server inside a lab host, run by the test process itself (no child process that could outlive the
/// test): it answers each datagram with <c>peer=ADDRESS\n</c> followed by the datagram, from the address and
/// port it was sent to.
/// </summary>
internal sealed class UdpEchoServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _received;

    private UdpEchoServer(Socket socket)
    {
        _socket = socket;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Datagrams answered so far.</summary>
    public int Received => Volatile.Read(ref _received);

    public static UdpEchoServer Start(LabHost host, IPEndPoint endPoint)
    {
        var socket = NetworkNamespace.Run(host.NamespacePath, () => new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        try
        {
            socket.Bind(endPoint);
            return new UdpEchoServer(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static string Reply(IPAddress peer, string payload) => $"peer={peer}\n{payload}";

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[65536];
        var any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ECONNREFUSED from an earlier reply's ICMP, and the like
            }

            Interlocked.Increment(ref _received);
            var peer = (IPEndPoint)received.RemoteEndPoint;
            var reply = Encoding.ASCII.GetBytes(Reply(peer.Address, Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes)));
            try
            {
                await _socket.SendToAsync(reply, SocketFlags.None, peer, cancellationToken);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _stop.Dispose();
    }
}
