using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    /// <summary><c>int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "getsockname", SetLastError = true)]
    internal static unsafe partial int GetSockName(int fd, byte* address, uint* length);
}
