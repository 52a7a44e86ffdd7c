namespace Galaxy.Netlink.NfTables;

/// <summary>
/// A set a rule can look up: its name and, when it was added in the same batch, its batch id
/// (NFTA_SET_ID / NFTA_LOOKUP_SET_ID; the only way to reach an anonymous set).
/// </summary>
public sealed record NfSetReference(string Name, NfSetKeyType KeyType, uint? Id = null);
