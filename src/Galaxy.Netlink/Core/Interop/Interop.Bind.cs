using System.Runtime.InteropServices;

namespace Galaxy.Netlink.Core.Interop;

internal static partial class Libc
{
    /// <summary><c>int bind(int fd, const struct sockaddr *addr, socklen_t len)</c> with a <c>sockaddr_nl</c>.</summary>
    [LibraryImport(Name, EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(SafeHandle fd, in SockAddrNetlink address, int length);

    /// <summary><c>int getsockname(int fd, struct sockaddr *addr, socklen_t *len)</c> with a <c>sockaddr_nl</c>.</summary>
    [LibraryImport(Name, EntryPoint = "getsockname", SetLastError = true)]
    internal static partial int GetSockName(SafeHandle fd, out SockAddrNetlink address, ref int length);
}

/// <summary><c>struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }</c> (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrNetlink
{
    public ushort Family;
    public ushort Pad;
    public uint PortId;
    public uint Groups;
}
