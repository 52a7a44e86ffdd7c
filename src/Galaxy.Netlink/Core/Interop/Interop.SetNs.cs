using System.Runtime.InteropServices;

namespace Galaxy.Netlink.Core.Interop;

internal static partial class Libc
{
    internal const int CloneNewNet = 0x40000000;

    /// <summary><c>int setns(int fd, int nstype)</c>: moves the calling thread into a namespace.</summary>
    [LibraryImport(Name, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(int fd, int namespaceType);
}
