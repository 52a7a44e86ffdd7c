namespace Galaxy.Netlink.Route;

/// <summary>A network interface as the kernel reports it.</summary>
/// <param name="Index">The interface index (ifi_index).</param>
/// <param name="Name">IFLA_IFNAME.</param>
/// <param name="IsUp">IFF_UP is set (administratively up).</param>
/// <param name="Mtu">IFLA_MTU.</param>
/// <param name="Kind">IFLA_INFO_KIND (<c>veth</c>, <c>wireguard</c>…), when the link has one.</param>
/// <param name="Flags">The raw ifi_flags (IFF_*).</param>
public sealed record LinkInfo(int Index, string Name, bool IsUp, int Mtu, string? Kind, uint Flags);
