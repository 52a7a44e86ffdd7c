namespace Galaxy.Netlink.NfTables;

/// <summary>cmp operators (NFT_CMP_*).</summary>
public enum NfCmpOp : uint
{
    Equal = 0,
    NotEqual = 1,
    LessThan = 2,
    LessOrEqual = 3,
    GreaterThan = 4,
    GreaterOrEqual = 5,
}
