using System.Runtime.InteropServices;

namespace Galaxy.Netlink.Core.Interop;

internal static partial class Libc
{
    internal const short PollIn = 0x001;

    /// <summary><c>int poll(struct pollfd *fds, nfds_t n, int timeout_ms)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}

/// <summary><c>struct pollfd { int fd; short events; short revents; }</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short ReturnedEvents;
}
