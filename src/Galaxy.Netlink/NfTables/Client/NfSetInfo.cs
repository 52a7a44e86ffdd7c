namespace Galaxy.Netlink.NfTables;

/// <summary>A set as the kernel lists it.</summary>
public sealed record NfSetInfo(NfFamily Family, string Table, string Name, uint Flags, uint KeyType, uint KeyLength, ulong Handle)
{
    public bool IsInterval => (Flags & 4) != 0;

    public bool IsAnonymous => (Flags & 1) != 0;
}
