namespace Galaxy.Netlink.NfTables;

/// <summary>fib results (NFT_FIB_RESULT_*).</summary>
public enum NfFibResult : uint
{
    OutputInterface = 1,
    OutputInterfaceName = 2,
    AddressType = 3,
}
