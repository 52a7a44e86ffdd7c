using System.Runtime.InteropServices;

namespace Galaxy.Netlink.Core.Interop;

internal static partial class Libc
{
    /// <summary><c>int close(int fd)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary><c>int open(const char *path, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    internal const int OpenReadOnly = 0;
    internal const int OpenCloseOnExec = 0x80000;
}
