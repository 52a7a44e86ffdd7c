using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int SockNonBlock = 0x800;
    internal const int SockCloExec = 0x80000;
    internal const int ENOBUFS = 105;
    internal const int ECONNABORTED = 103;

    /// <summary>
    /// <c>int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)</c>: the next connection of a
    /// listening socket, with the peer's address; EAGAIN when the (non-blocking) listener has none waiting.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "accept4", SetLastError = true)]
    internal static unsafe partial int Accept4(int fd, byte* address, uint* length, int flags);
}
