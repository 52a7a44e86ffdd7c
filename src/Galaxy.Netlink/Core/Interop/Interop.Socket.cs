using System.Runtime.InteropServices;

namespace Galaxy.Netlink.Core.Interop;

internal static partial class Libc
{
    /// <summary><c>int socket(int domain, int type, int protocol)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);
}
