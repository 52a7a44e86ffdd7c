namespace Galaxy.Netlink.NfTables;

/// <summary>The nf_tables address family of a table (NFPROTO_*).</summary>
public enum NfFamily : byte
{
    /// <summary>Used only in batch framing and dumps of every family.</summary>
    Unspecified = 0,
    Inet = 1,
    IPv4 = 2,
    Arp = 3,
    NetDev = 5,
    Bridge = 7,
    IPv6 = 10,
}
