using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int SolSocket = 1;
    internal const int SoError = 4;
    internal const int ENETDOWN = 100;
    internal const int ENETUNREACH = 101;
    internal const int ENOTCONN = 107;
    internal const int ETIMEDOUT = 110;
    internal const int ECONNREFUSED = 111;
    internal const int EHOSTDOWN = 112;
    internal const int EHOSTUNREACH = 113;

    /// <summary><c>int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen)</c>: fails with ENOTCONN while a connect is in progress.</summary>
    [LibraryImport(Name, EntryPoint = "getpeername", SetLastError = true)]
    internal static unsafe partial int GetPeerName(int fd, byte* address, uint* length);

    /// <summary><c>int getsockopt(int fd, int level, int name, void *value, socklen_t *length)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "getsockopt", SetLastError = true)]
    internal static unsafe partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);
}
