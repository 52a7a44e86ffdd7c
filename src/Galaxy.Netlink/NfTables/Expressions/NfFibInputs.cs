namespace Galaxy.Netlink.NfTables;

/// <summary>fib flags (NFTA_FIB_F_*).</summary>
[Flags]
public enum NfFibInputs : uint
{
    None = 0,
    SourceAddress = 1,
    DestinationAddress = 2,
    Mark = 4,
    InputInterface = 8,
    OutputInterface = 16,
}
