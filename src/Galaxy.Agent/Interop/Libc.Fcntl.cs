using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int FSetPipeSize = 1031;
    internal const int FGetPipeSize = 1032;
    internal const int FGetFl = 3;
    internal const int FSetFl = 4;

    /// <summary><c>int fcntl(int fd, int cmd, int arg)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command, int argument);
}
