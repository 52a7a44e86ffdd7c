using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int OCloExec = 0x80000;
    internal const int ONonBlock = 0x800;

    /// <summary><c>int pipe2(int fds[2], int flags)</c>: fds[0] is the read end, fds[1] the write end.</summary>
    [LibraryImport(Name, EntryPoint = "pipe2", SetLastError = true)]
    internal static unsafe partial int Pipe2(int* fds, int flags);
}
