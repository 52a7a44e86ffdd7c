using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int EfdCloExec = 0x80000;
    internal const int EfdNonBlock = 0x800;

    /// <summary><c>int eventfd(unsigned int initval, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    /// <summary><c>ssize_t read(int fd, void *buf, size_t count)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, void* buffer, nuint count);

    /// <summary><c>ssize_t write(int fd, const void *buf, size_t count)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int fd, void* buffer, nuint count);
}
