using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const uint SpliceMove = 1;
    internal const uint SpliceNonBlock = 2;
    internal const uint SpliceMore = 4;

    /// <summary><c>ssize_t splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "splice", SetLastError = true)]
    internal static partial nint Splice(int fdIn, nint offsetIn, int fdOut, nint offsetOut, nuint length, uint flags);
}
