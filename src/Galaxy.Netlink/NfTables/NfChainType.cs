namespace Galaxy.Netlink.NfTables;

/// <summary>The type of a base chain (NFTA_CHAIN_TYPE: "filter", "nat", "route").</summary>
public enum NfChainType
{
    Filter,
    Nat,
    Route,
}
