using System.Net;

namespace Galaxy.Agent.Config;

/// <summary>
/// The LAN's addressing (<c>[dhcp]</c>): the router's own LAN address and, when <see cref="Enabled"/>, the
/// DHCP service (busybox <c>udhcpd</c>, configured by <c>galaxy dhcp render</c>) that hands the cluster's VMs
/// an address, the router as gateway and the router as DNS server (the agent answers port 53 anyway).
/// </summary>
/// <param name="Enabled">Whether the router serves DHCP on <see cref="Interface"/>; the firewall admits DHCP from the LAN only then.</param>
/// <param name="Interface">The LAN interface served (the first of <c>[router] lan</c> unless named).</param>
/// <param name="Subnet">The LAN subnet (IPv4); null when the table is absent (the LAN is then addressed by hand).</param>
/// <param name="Address">The router's address on the LAN: gateway and DNS server of every lease.</param>
/// <param name="RangeStart">First address handed out.</param>
/// <param name="RangeEnd">Last address handed out.</param>
/// <param name="LeaseSeconds">Lease time.</param>
/// <param name="LeaseFile">udhcpd's lease file (default /run/udhcpd.leases: tmpfs, gone at every boot).</param>
internal sealed record DhcpSettings(
    bool Enabled,
    string Interface,
    IPNetwork? Subnet,
    IPAddress? Address,
    IPAddress? RangeStart,
    IPAddress? RangeEnd,
    int LeaseSeconds,
    string LeaseFile)
{
    /// <summary>No <c>[dhcp]</c> table: no DHCP service, no DHCP admitted from the LAN.</summary>
    public static DhcpSettings Disabled { get; } = new(false, "", null, null, null, null, 3600, "/run/udhcpd.leases");
}
