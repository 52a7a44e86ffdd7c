using System.Net.Sockets;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// One connected, non-blocking socket of a spliced flow: either a .NET <see cref="Socket"/> (dialed by an egress,
/// or a client that went through the async path) or a bare descriptor the splice loop accepted itself. The
/// flow that holds it owns it; the loop's system calls use <see cref="Fd"/> either way.
/// </summary>
internal readonly struct FlowSocket
{
    private readonly Socket? _socket;

    private FlowSocket(Socket? socket, int fd)
    {
        _socket = socket;
        Fd = fd;
    }

    public int Fd { get; }

    /// <summary>A .NET socket, switched to non-blocking; disposing the flow disposes it.</summary>
    public static FlowSocket Of(Socket socket)
    {
        socket.Blocking = false;
        return new FlowSocket(socket, (int)socket.SafeHandle.DangerousGetHandle());
    }

    /// <summary>A non-blocking descriptor (from <c>accept4</c> with SOCK_NONBLOCK) whose ownership passes to the flow.</summary>
    public static FlowSocket Adopt(int fd) => new(null, fd);

    /// <summary>Closes the socket; with <paramref name="reset"/> (SO_LINGER 0) the peer sees a reset, never a clean end.</summary>
    public void Close(bool reset)
    {
        if (reset)
        {
            SetResetOnClose(Fd);
        }

        if (_socket is not null)
        {
            _socket.Dispose();
        }
        else
        {
            Libc.Close(Fd);
        }
    }

    /// <summary>The socket's pending error (SO_ERROR, which reading clears): 0 for none, else errno; -1 when it cannot be read.</summary>
    internal static unsafe int PendingError(int fd)
    {
        int error;
        var length = (uint)sizeof(int);
        return Libc.GetSockOpt(fd, Libc.SolSocket, Libc.SoError, &error, &length) == 0 ? error : -1;
    }

    /// <summary>SO_LINGER {on, 0}: closing the descriptor then sends a reset.</summary>
    internal static unsafe void SetResetOnClose(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 };
        Libc.SetSockOpt(fd, Libc.SolSocket, Libc.SoLinger, linger, 2 * sizeof(int));
    }
}
