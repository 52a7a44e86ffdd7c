using Galaxy.Netlink.Core.Interop;
using Microsoft.Win32.SafeHandles;

namespace Galaxy.Netlink.Core;

/// <summary>A netlink socket's file descriptor; closed exactly once when released.</summary>
internal sealed class NetlinkSafeHandle : SafeHandleMinusOneIsInvalid
{
    public NetlinkSafeHandle()
        : base(ownsHandle: true)
    {
    }

    public NetlinkSafeHandle(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
