using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Routing.Rules;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Config;

/// <summary>
/// The whole configuration of one router (<c>/etc/galaxy/galaxy.toml</c>), immutable and already validated:
/// an instance only exists when every value was accepted. <see cref="ConfigLoader"/> builds it.
/// </summary>
internal sealed partial record GalaxyConfig(
    string SourcePath,
    RouterSettings Router,
    RelaySettings Relay,
    DnsSettings Dns,
    ControlSettings Control,
    ImmutableArray<EgressConfig> Egresses,
    RoutingSettings Routing)
{
    /// <summary>The LAN subnet and the DHCP service (<c>[dhcp]</c>, read in ConfigLoader.Dhcp.cs); disabled when absent.</summary>
    public DhcpSettings Dhcp { get; init; } = DhcpSettings.Disabled;
}

/// <summary>The router's two sides and where it keeps its runtime files.</summary>
/// <param name="LanInterfaces">Interfaces facing the cluster's VMs; everything arriving there is intercepted.</param>
/// <param name="WanInterface">The uplink; only tunnel processes, DHCP and bootstrap DNS may use it.</param>
/// <param name="RuntimeDirectory">Sockets, sanitized tunnel configurations (tmpfs on the router).</param>
internal sealed record RouterSettings(ImmutableArray<string> LanInterfaces, string WanInterface, string RuntimeDirectory);

/// <summary>The transparent relay: one TPROXY port for TCP and UDP, and its bounds.</summary>
internal sealed record RelaySettings(int Port, int MaxConnections, int SpliceLoops);

/// <summary>The LAN-side resolver.</summary>
/// <param name="Port">TPROXY port of the agent's DNS listeners (every LAN query to port 53 is sent there).</param>
/// <param name="Servers">Resolvers reached through the egress; empty means the ones the tunnel pushed.</param>
/// <param name="Bootstrap">Resolvers reached on the WAN, only for the egresses' own host names, from a marked socket.</param>
/// <param name="ResolvConf">The router's own resolver file, rewritten at start to point at the agent.</param>
internal sealed record DnsSettings(int Port, ImmutableArray<IPEndPoint> Servers, ImmutableArray<IPEndPoint> Bootstrap, string? ResolvConf);

/// <summary>The control socket (issue 8 serves it).</summary>
internal sealed record ControlSettings(string Socket, string Group);

/// <summary>One way out. Its position in the file is its slot: marks and routing tables derive from it.</summary>
internal abstract record EgressConfig(string Name, int Line)
{
    /// <summary>Where the egress leaves the internet (<c>exit</c> country, <c>location</c> coordinates), for nearest groups.</summary>
    public ExitLocation? Exit { get; init; }

    /// <summary>The configuration's word for this kind (<c>openvpn</c>, <c>socks5</c>, …).</summary>
    public abstract string Kind { get; }

    /// <summary>The egress this one rides on (<c>via = "NAME"</c>; ssh and proxies), and the line of that key; null for the WAN.</summary>
    public (string Name, int Line)? Via { get; init; }
}

/// <summary>An OpenVPN tunnel from a user's profile.</summary>
/// <param name="Profile">The <c>.ovpn</c> file; checked by the importer at load.</param>
/// <param name="CredentialsFile">Optional file with a user name and a password on two lines, handed over the management socket.</param>
/// <param name="Imported">The profile as the importer accepted it (crypto and remotes; nothing Galaxy owns).</param>
internal sealed record OpenVpnEgressConfig(string Name, int Line, string Profile, string? CredentialsFile, OvpnProfile Imported) : EgressConfig(Name, Line)
{
    public override string Kind => "openvpn";
}

/// <summary>An upstream proxy (SOCKS5 or HTTP CONNECT), reached on the WAN or through another egress (<c>via</c>).</summary>
/// <param name="Credentials">User name and password (RFC 1929 for SOCKS5, basic auth for HTTP), read at load from the <c>credentials</c> file; null for none.</param>
internal sealed record ProxyEgressConfig(string Name, int Line, string ProxyKind, Uri Address, ProxyCredentials? Credentials = null) : EgressConfig(Name, Line)
{
    public override string Kind => ProxyKind;
}

/// <summary>Straight out of the WAN, unprotected: only when the operator names it.</summary>
internal sealed record DirectEgressConfig(string Name, int Line) : EgressConfig(Name, Line)
{
    public override string Kind => "direct";
}
