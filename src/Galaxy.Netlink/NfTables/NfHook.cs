namespace Galaxy.Netlink.NfTables;

/// <summary>Netfilter hook of a base chain (NF_INET_*).</summary>
public enum NfHook : uint
{
    Prerouting = 0,
    Input = 1,
    Forward = 2,
    Output = 3,
    Postrouting = 4,
}
