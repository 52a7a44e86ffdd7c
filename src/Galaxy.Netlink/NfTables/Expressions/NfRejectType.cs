namespace Galaxy.Netlink.NfTables;

/// <summary>reject types (NFT_REJECT_*).</summary>
public enum NfRejectType : uint
{
    IcmpUnreachable = 0,
    TcpReset = 1,
    IcmpxUnreachable = 2,
}
