using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    /// <summary><c>int close(int fd)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
