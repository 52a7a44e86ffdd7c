namespace Galaxy.Netlink.NfTables;

/// <summary>tproxy families: IPv4 2, IPv6 10, or 0 for port only.</summary>
public enum NfTproxyFamily : uint
{
    PortOnly = 0,
    IPv4 = 2,
    IPv6 = 10,
}
