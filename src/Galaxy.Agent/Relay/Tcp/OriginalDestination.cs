using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Interop;
using System.Runtime.InteropServices;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Relay.Tcp;

/// <summary>
/// Where a TPROXY-accepted client was going: the accepted socket's own address, asked of the kernel with
/// <c>getsockname</c>. Not <see cref="Socket.LocalEndPoint"/>: .NET gives an accepted socket its listener's
/// cached local address when the listener is bound to a specific one (127.0.0.1, ::1) and that address was
/// ever read, which would turn every destination into the relay's own port.
/// </summary>
internal static class OriginalDestination
{
    /// <summary>The original destination of the accepted connection <paramref name="fd"/>.</summary>
    public static unsafe IPEndPoint Of(int fd)
    {
        var address = stackalloc byte[28]; // sockaddr_in6, the larger of the two
        var length = 28u;
        if (Libc.GetSockName(fd, address, &length) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        return SocketAddressCodec.ReadSocketAddress(new ReadOnlySpan<byte>(address, (int)Math.Min(length, 28u)))
               ?? throw new SocketException((int)SocketError.AddressFamilyNotSupported);
    }
}
