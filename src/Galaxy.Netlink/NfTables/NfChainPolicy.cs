namespace Galaxy.Netlink.NfTables;

/// <summary>The policy of a base chain (NF_DROP 0 / NF_ACCEPT 1).</summary>
public enum NfChainPolicy : uint
{
    Drop = 0,
    Accept = 1,
}
