namespace Galaxy.Netlink.NfTables;

/// <summary>What makes a chain a base chain: its type, hook, priority and policy.</summary>
public sealed record NfBaseChain(NfChainType Type, NfHook Hook, int Priority, NfChainPolicy Policy = NfChainPolicy.Accept);
