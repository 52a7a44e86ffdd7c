namespace Galaxy.Netlink.Core;

/// <summary>
/// Netlink framing constants (linux/netlink.h). All values measured on the target kernel; see
/// shared/netlink/README.md §1.1.
/// </summary>
internal static class NetlinkProtocol
{
    public const int AddressFamily = 16;       // AF_NETLINK
    public const int SocketTypeRaw = 3;        // SOCK_RAW
    public const int SocketCloseOnExec = 0x80000; // SOCK_CLOEXEC

    public const int Route = 0;                // NETLINK_ROUTE
    public const int Netfilter = 12;           // NETLINK_NETFILTER

    public const int SolSocket = 1;
    public const int SoSendBuffer = 7;
    public const int SoReceiveBuffer = 8;
    public const int SoSendBufferForce = 32;
    public const int SoReceiveBufferForce = 33;

    public const int SolNetlink = 270;
    public const int AddMembership = 1;        // NETLINK_ADD_MEMBERSHIP
    public const int CapAck = 10;              // NETLINK_CAP_ACK
    public const int ExtAck = 11;              // NETLINK_EXT_ACK
    public const int GetStrictCheck = 12;      // NETLINK_GET_STRICT_CHK

    public const int MsgDontWait = 0x40;
    public const int MsgTrunc = 0x20;

    public const int HeaderLength = 16;        // struct nlmsghdr
    public const int AttributeHeaderLength = 4; // struct nlattr

    // nlmsghdr.nlmsg_type values below NLMSG_MIN_TYPE (0x10).
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;

    // nlmsghdr.nlmsg_flags.
    public const ushort FlagRequest = 0x1;
    public const ushort FlagMulti = 0x2;
    public const ushort FlagAck = 0x4;
    public const ushort FlagEcho = 0x8;
    public const ushort FlagDumpInterrupted = 0x10;
    public const ushort FlagReplace = 0x100;
    public const ushort FlagExclusive = 0x200;
    public const ushort FlagCreate = 0x400;
    public const ushort FlagAppend = 0x800;
    public const ushort FlagDump = 0x300;
    public const ushort FlagCapped = 0x100;    // in ACKs
    public const ushort FlagAckTlvs = 0x200;   // in ACKs

    // nlattr.nla_type flag bits.
    public const ushort AttributeNested = 0x8000;
    public const ushort AttributeNetByteOrder = 0x4000;
    public const ushort AttributeTypeMask = 0x3fff;

    // Extended-ACK TLVs (enum nlmsgerr_attrs).
    public const ushort ErrorAttributeMessage = 1;
    public const ushort ErrorAttributeOffset = 2;

    public static int Align(int length) => (length + 3) & ~3;
}
