using System.Runtime.InteropServices;

namespace Galaxy.Netlink.Core.Interop;

internal static partial class Libc
{
    /// <summary><c>int setsockopt(int fd, int level, int name, const void *value, socklen_t len)</c> for an int value.</summary>
    [LibraryImport(Name, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(SafeHandle fd, int level, int name, in int value, int length);

    /// <summary><c>int getsockopt(int fd, int level, int name, void *value, socklen_t *len)</c> for an int value.</summary>
    [LibraryImport(Name, EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSockOpt(SafeHandle fd, int level, int name, out int value, ref int length);
}
