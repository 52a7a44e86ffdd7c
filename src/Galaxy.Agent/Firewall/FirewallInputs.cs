using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Routing.Policy;

namespace Galaxy.Agent.Firewall;

/// <summary>An address the WAN may be used for: a tunnel's pinned endpoint, a proxy, a bootstrap resolver.</summary>
internal sealed record WanEndpoint(IPAddress Address, int Port, bool Tcp)
{
    /// <summary>The <see cref="Port"/> that matches every port of the address (a SOCKS5 proxy's UDP relay ports).</summary>
    public const int AnyPort = 0;

    public override string ToString() =>
        $"{(Tcp ? "tcp" : "udp")} {(Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address)}:{(Port == AnyPort ? "*" : Port)}";
}

/// <summary>What the firewall needs to know of one egress.</summary>
/// <param name="Name">For logs and rule comments.</param>
/// <param name="Slot">Its marks.</param>
/// <param name="UpDevice">The tunnel device while the egress is up (its route-marked packets may leave there); null when down.</param>
/// <param name="Endpoints">Where packets carrying the egress's process mark may go on the WAN (OpenVPN's pinned remotes, a proxy).</param>
/// <param name="AnyWan">A <c>direct</c> egress: its process mark may go anywhere on the WAN (only when the operator named one).</param>
internal sealed record EgressFirewall(string Name, EgressSlot Slot, string? UpDevice, ImmutableArray<WanEndpoint> Endpoints, bool AnyWan = false);

/// <summary>Everything the ruleset is a function of.</summary>
/// <param name="DhcpInterfaces">LAN interfaces on which the router serves DHCP (<c>[dhcp] enabled = true</c>); DHCP
/// requests from the LAN are admitted there only. Default: none.</param>
internal sealed record FirewallInputs(
    ImmutableArray<string> LanInterfaces,
    string WanInterface,
    int RelayPort,
    int DnsPort,
    ImmutableArray<EgressFirewall> Egresses,
    ImmutableArray<WanEndpoint> BootstrapResolvers,
    ImmutableArray<string> DhcpInterfaces = default,
    ImmutableArray<ProcessGroupEgress> ProcessGroups = default);
