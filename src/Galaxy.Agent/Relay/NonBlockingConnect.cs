using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Relay;

/// <summary>
/// A TCP connect that does not wait: the plain system call on a non-blocking socket, whose completion the splice
/// loop's epoll sees. Outcomes are returned, not thrown (.NET's <see cref="Socket.Connect(EndPoint)"/> reports
/// the expected EINPROGRESS as an exception, which costs more than the connect itself).
/// </summary>
internal static class NonBlockingConnect
{
    /// <summary>Starts connecting <paramref name="socket"/> (already non-blocking): InProgress, Success, or why it failed at once.</summary>
    public static unsafe SocketError Start(Socket socket, IPEndPoint destination)
    {
        var address = stackalloc byte[28];
        var length = SocketAddressCodec.WriteSocketAddress(destination, new Span<byte>(address, 28));
        while (true)
        {
            if (Libc.Connect((int)socket.SafeHandle.DangerousGetHandle(), address, (uint)length) == 0)
            {
                return SocketError.Success;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                return errno == Libc.EINPROGRESS ? SocketError.InProgress : FromErrno(errno);
            }
        }
    }

    /// <summary>The connect errors a dial reports (see <see cref="Egress.DialResult.FromSocketError"/>).</summary>
    public static SocketError FromErrno(int errno) => errno switch
    {
        Libc.ECONNREFUSED => SocketError.ConnectionRefused,
        Libc.ETIMEDOUT => SocketError.TimedOut,
        Libc.EHOSTUNREACH => SocketError.HostUnreachable,
        Libc.ENETUNREACH => SocketError.NetworkUnreachable,
        Libc.ENETDOWN => SocketError.NetworkDown,
        Libc.EHOSTDOWN => SocketError.HostDown,
        Libc.ECONNRESET => SocketError.ConnectionReset,
        Libc.EAGAIN => SocketError.NoBufferSpaceAvailable, // no local port left
        _ => SocketError.SocketError,
    };
}
