namespace Galaxy.Netlink.NfTables;

/// <summary>meta keys (NFT_META_*).</summary>
public enum NfMetaKey : uint
{
    Length = 1,
    Protocol = 2,
    Mark = 3,
    InputInterface = 4,
    OutputInterface = 5,
    InputInterfaceName = 6,
    OutputInterfaceName = 7,
    SocketUid = 10,
    SocketGid = 11,
    NetfilterProtocol = 15,
    L4Protocol = 16,
}
