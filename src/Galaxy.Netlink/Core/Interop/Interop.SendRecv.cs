using System.Runtime.InteropServices;

namespace Galaxy.Netlink.Core.Interop;

internal static partial class Libc
{
    /// <summary><c>ssize_t send(int fd, const void *buf, size_t len, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "send", SetLastError = true)]
    internal static unsafe partial nint Send(SafeHandle fd, byte* buffer, nuint length, int flags);

    /// <summary><c>ssize_t recv(int fd, void *buf, size_t len, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "recv", SetLastError = true)]
    internal static unsafe partial nint Recv(SafeHandle fd, byte* buffer, nuint length, int flags);
}
