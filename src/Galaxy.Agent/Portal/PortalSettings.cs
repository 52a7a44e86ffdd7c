using System.Collections.Immutable;
using System.Net;

namespace Galaxy.Agent.Portal;

/// <summary>
/// The fleet as one settings file declares it (<c>portal.toml</c>, read by <see cref="PortalSettingsLoader"/>): where the
/// template disk and the base files are, and every router with its LAN subnet, egress credentials and size.
/// </summary>
/// <param name="SourcePath">The settings file (absolute).</param>
/// <param name="TemplatePath">The read-only template disk (qcow2) every instance's overlay is backed by.</param>
/// <param name="BaseFilesDirectory">The <c>alpine/base-files</c> tree copied into each instance folder.</param>
/// <param name="StateDirectory">Where <c>portal up</c> writes each instance's overlay and config drive (not in git).</param>
/// <param name="WanNetwork">The libvirt network of every router's WAN NIC.</param>
/// <param name="BootstrapDns">WAN resolvers for the egresses' host names (<c>[dns] bootstrap</c> of each router).</param>
/// <param name="Credentials">The egress credentials routers may name, by name.</param>
/// <param name="Routers">The instances, in order (galaxy0, galaxy1, …).</param>
internal sealed record PortalSettings(
    string SourcePath,
    string TemplatePath,
    string BaseFilesDirectory,
    string StateDirectory,
    string WanNetwork,
    ImmutableArray<string> BootstrapDns,
    ImmutableArray<EgressCredential> Credentials,
    ImmutableArray<RouterInstance> Routers);

/// <summary>One router VM.</summary>
/// <param name="Name">Domain name and instance folder (<c>galaxy1</c>).</param>
/// <param name="Index">Its position: the LAN bridge is <c>gxlan{Index}</c>.</param>
/// <param name="LanSubnet">The cluster LAN behind it; the router takes the first host address and serves DHCP for the rest.</param>
/// <param name="Egresses">Names of the <see cref="EgressCredential"/>s it uses, in failover order.</param>
/// <param name="Cpus">Virtual CPUs.</param>
/// <param name="MemoryMiB">Memory in MiB.</param>
internal sealed record RouterInstance(string Name, int Index, IPNetwork LanSubnet, ImmutableArray<string> Egresses, int Cpus, int MemoryMiB)
{
    /// <summary>The isolated libvirt network of its LAN (cluster VMs attach their NIC to it).</summary>
    public string LanNetwork => $"{Name}-lan";

    /// <summary>The host bridge of that network (at most 15 characters).</summary>
    public string LanBridge => $"gxlan{Index}";
}

/// <summary>One egress a router can be handed: its kind and the files (or address) that make it.</summary>
/// <param name="Name">The egress name in the router's galaxy.toml (also the base name of its files there).</param>
/// <param name="Kind"><c>openvpn</c>, <c>socks5</c>, <c>http</c> or <c>direct</c>.</param>
/// <param name="Profile">OpenVPN: the .ovpn file on the portal host (absolute).</param>
/// <param name="Auth">OpenVPN: the optional user name/password file (absolute).</param>
/// <param name="Address">socks5/http: the proxy's URI.</param>
internal sealed record EgressCredential(string Name, string Kind, string? Profile, string? Auth, string? Address);
