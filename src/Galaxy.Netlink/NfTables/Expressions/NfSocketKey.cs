namespace Galaxy.Netlink.NfTables;

/// <summary>socket keys (NFT_SOCKET_*).</summary>
public enum NfSocketKey : uint
{
    Transparent = 0,
    Mark = 1,
    Wildcard = 2,
}
