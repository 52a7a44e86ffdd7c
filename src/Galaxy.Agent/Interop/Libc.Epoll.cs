using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int EpollCloExec = 0x80000;
    internal const int EpollCtlAdd = 1;
    internal const int EpollCtlDel = 2;
    internal const int EpollCtlMod = 3;

    internal const uint EpollIn = 0x001;
    internal const uint EpollOut = 0x004;
    internal const uint EpollErr = 0x008;
    internal const uint EpollHup = 0x010;
    internal const uint EpollRdHup = 0x2000;
    internal const uint EpollEt = 1u << 31;

    /// <summary><c>int epoll_create1(int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    /// <summary><c>int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static unsafe partial int EpollCtl(int epollFd, int operation, int fd, EpollEvent* @event);

    /// <summary><c>int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static unsafe partial int EpollWait(int epollFd, EpollEvent* events, int maxEvents, int timeoutMilliseconds);
}

/// <summary>
/// <c>struct epoll_event { uint32_t events; epoll_data_t data; }</c> as x86-64 declares it: packed, 12
/// bytes (other architectures align it to 16; the splice loop refuses to start there).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
