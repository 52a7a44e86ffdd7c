using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Galaxy.Agent.Config;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Firewall;
using Galaxy.Agent.Routing.Policy;
using Galaxy.Agent.Tunnels.Ssh;

namespace Galaxy.Agent.Agent;

/// <summary>SSH egresses and chains (<c>via</c>): their dialers, and what the firewall needs of them.</summary>
internal sealed partial class AgentHost
{
    /// <summary>
    /// The runtimes in configuration order (the order is the slot), created carriers first so that an egress
    /// riding on another one (<c>via</c>) dials through the carrier's dialer. The loader refused cycles.
    /// </summary>
    private static ImmutableArray<EgressRuntime> CreateRuntimes(GalaxyConfig config)
    {
        var runtimes = new EgressRuntime?[config.Egresses.Length];
        var index = config.Egresses.Select((e, i) => (e.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

        EgressRuntime Create(int i)
        {
            if (runtimes[i] is { } made)
            {
                return made;
            }

            var egress = config.Egresses[i];
            var via = egress.Via is { } v ? Create(index[v.Name]) : null;
            var runtime = via is null || egress is SshEgressConfig
                ? CreateRuntime(egress, new EgressSlot(i))
                : CreateRiding((ProxyEgressConfig)egress, new EgressSlot(i), via);
            runtime.Via = via;
            runtimes[i] = runtime;
            return runtime;
        }

        for (var i = 0; i < runtimes.Length; i++)
        {
            Create(i);
        }

        return [.. runtimes.Select(r => r!)];
    }

    /// <summary>A proxy reached through another egress: its handshake runs over the carrier's dialer.</summary>
    private static EgressRuntime CreateRiding(ProxyEgressConfig proxy, EgressSlot slot, EgressRuntime via) =>
        CreateProxyRuntime(proxy, slot, via.Dialer);

    /// <summary>
    /// A SOCKS5 or HTTP CONNECT egress, with its credentials, dialing the proxy over <paramref name="transport"/>.
    /// The dialer is named as the egress: its flows, bytes and failed dials are the egress's.
    /// </summary>
    private static EgressRuntime CreateProxyRuntime(ProxyEgressConfig proxy, EgressSlot slot, IEgressDialer transport)
    {
        var timeout = TimeSpan.FromSeconds(10);
        var endpoint = new IPEndPoint(IPAddress.Parse(proxy.Address.Host.Trim('[', ']')), proxy.Address.Port);
        IEgressDialer dialer = proxy.ProxyKind == "socks5"
            ? new Socks5Dialer(proxy.Name, endpoint, proxy.Credentials, transport, timeout)
            : new HttpConnectDialer(proxy.Name, endpoint, proxy.Credentials, transport, timeout);
        return new EgressRuntime(proxy, slot, dialer, null);
    }

    /// <summary>An SSH egress dials through its connections' loopback SOCKS ports.</summary>
    private static EgressRuntime CreateSshRuntime(SshEgressConfig ssh, EgressSlot slot)
    {
        var timeout = TimeSpan.FromSeconds(10);
        var loopback = new DeviceDialer("loopback", null, slot.ProcessMark, timeout);
        var connections = Enumerable.Range(0, ssh.Connections)
            .Select(i => (IEgressDialer)new Socks5Dialer(
                string.Create(CultureInfo.InvariantCulture, $"{ssh.Name}#{i}"),
                new IPEndPoint(IPAddress.Loopback, SshConnectionSpec.SocksPortOf(slot, i)),
                null,
                loopback,
                timeout))
            .ToList();
        return new EgressRuntime(ssh, slot, new SshPoolDialer(ssh.Name, connections), null);
    }

    /// <summary>
    /// The ssh clients' groups for the firewall: to the pinned server on the WAN, or into the carrier's tunnel
    /// while the carrier is up.
    /// </summary>
    private ImmutableArray<ProcessGroupEgress> ProcessGroups() =>
    [
        .. _egresses.Where(e => e.Config is SshEgressConfig && !e.Removed).Select(e => new ProcessGroupEgress(
            e.Name,
            SshConnectionSpec.GidOf(e.Slot),
            e.Via is null ? [new WanEndpoint(((SshEgressConfig)e.Config).Endpoint.Address, ((SshEgressConfig)e.Config).Endpoint.Port, Tcp: true)] : [],
            e.Via is { IsUp: true, Device: { } device } ? device : null,
            e.Via?.Slot.RouteMark)),
    ];
}
