namespace Galaxy.Netlink.NfTables;

/// <summary>A table as the kernel lists it.</summary>
public sealed record NfTableInfo(NfFamily Family, string Name, uint Flags, ulong Handle, uint Use)
{
    /// <summary>NFT_TABLE_F_OWNER: the table vanishes when its owning socket closes.</summary>
    public bool IsOwned => (Flags & 2) != 0;
}
