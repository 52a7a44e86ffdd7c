using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    internal const int MsgPeek = 0x2;
    internal const int MsgDontWait = 0x40;
    internal const int MsgTrunc = 0x20;
    internal const int MsgNoSignal = 0x4000;

    /// <summary><c>ssize_t recvmsg(int fd, struct msghdr *msg, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
    internal static unsafe partial nint RecvMsg(int fd, MessageHeader* message, int flags);

    /// <summary><c>ssize_t send(int fd, const void *buf, size_t len, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "send", SetLastError = true)]
    internal static unsafe partial nint Send(int fd, byte* buffer, nuint length, int flags);

    /// <summary><c>ssize_t recv(int fd, void *buf, size_t len, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "recv", SetLastError = true)]
    internal static unsafe partial nint Recv(int fd, byte* buffer, nuint length, int flags);
}

/// <summary><c>struct iovec { void *iov_base; size_t iov_len; }</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public byte* Base;
    public nuint Length;
}

/// <summary>
/// <c>struct msghdr { void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov; size_t msg_iovlen;
/// void *msg_control; size_t msg_controllen; int msg_flags; }</c> (56 bytes on 64-bit Linux).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public byte* Name;
    public uint NameLength;
    public IoVector* Vectors;
    public nuint VectorCount;
    public byte* Control;
    public nuint ControlLength;
    public int Flags;
}
