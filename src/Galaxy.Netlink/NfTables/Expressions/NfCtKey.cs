namespace Galaxy.Netlink.NfTables;

/// <summary>conntrack keys (NFT_CT_*).</summary>
public enum NfCtKey : uint
{
    State = 0,
    Direction = 1,
    Status = 2,
    Mark = 3,
}
