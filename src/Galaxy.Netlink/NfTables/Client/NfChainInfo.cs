namespace Galaxy.Netlink.NfTables;

/// <summary>A chain as the kernel lists it; <see cref="BaseChain"/> is null for a regular chain.</summary>
public sealed record NfChainInfo(NfFamily Family, string Table, string Name, ulong Handle, NfBaseChain? BaseChain, uint Use);
