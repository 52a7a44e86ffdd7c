namespace Galaxy.Netlink.NfTables;

/// <summary>verdict codes (NF_DROP, NF_ACCEPT, NFT_*).</summary>
public enum NfVerdictCode : int
{
    Drop = 0,
    Accept = 1,
    Continue = -1,
    Break = -2,
    Jump = -3,
    Goto = -4,
    Return = -5,
}
