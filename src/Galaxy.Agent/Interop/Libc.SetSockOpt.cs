using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int SoLinger = 13;
    internal const int SolTcp = 6;
    internal const int TcpNoDelay = 1;
    internal const int ShutWr = 1;
    internal const int EINPROGRESS = 115;

    /// <summary><c>int setsockopt(int fd, int level, int name, const void *value, socklen_t length)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "setsockopt", SetLastError = true)]
    internal static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    /// <summary><c>int shutdown(int fd, int how)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int fd, int how);

    /// <summary><c>int connect(int fd, const struct sockaddr *addr, socklen_t length)</c>: EINPROGRESS on a non-blocking socket.</summary>
    [LibraryImport(Name, EntryPoint = "connect", SetLastError = true)]
    internal static unsafe partial int Connect(int fd, byte* address, uint length);
}
