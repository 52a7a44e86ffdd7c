namespace Galaxy.Netlink.NfTables;

/// <summary>conntrack state bits (NF_CT_STATE_*_BIT).</summary>
[Flags]
public enum NfCtState : uint
{
    None = 0,
    Invalid = 1,
    Established = 2,
    Related = 4,
    New = 8,
    Untracked = 64,
}
