namespace Galaxy.Netlink.Route;

/// <summary>An address family as the kernel numbers it (AF_INET, AF_INET6).</summary>
public enum IpFamily : byte
{
    /// <summary>AF_INET.</summary>
    IPv4 = 2,

    /// <summary>AF_INET6.</summary>
    IPv6 = 10,
}
