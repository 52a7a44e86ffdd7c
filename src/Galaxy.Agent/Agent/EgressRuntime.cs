using System.Collections.Immutable;
using Galaxy.Agent.Config;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Firewall;
using Galaxy.Agent.Routing.Policy;

namespace Galaxy.Agent.Agent;

/// <summary>
/// The agent's live view of one egress. Written only by the reconcile loop; read by the relay's routing
/// (from any thread) through <see cref="IsUp"/> and <see cref="Dialer"/>.
/// </summary>
internal sealed class EgressRuntime
{
    private volatile bool _up;

    public EgressRuntime(EgressConfig config, EgressSlot slot, IEgressDialer dialer, string? device)
    {
        Config = config;
        Slot = slot;
        Dialer = dialer;
        Device = device;
    }

    public EgressConfig Config { get; }

    public string Name => Config.Name;

    public EgressSlot Slot { get; }

    /// <summary>How relayed flows leave through this egress.</summary>
    public IEgressDialer Dialer { get; }

    /// <summary>The tunnel device this egress owns (null for proxies and <c>direct</c>).</summary>
    public string? Device { get; }

    /// <summary>An OpenVPN egress's remotes, resolved once at start and pinned (address, port, transport).</summary>
    public ImmutableArray<Tunnels.OpenVpn.PinnedRemote> PinnedRemotes { get; set; } = [];

    /// <summary>Where the egress's own process may go on the WAN (pinned tunnel endpoints, the proxy).</summary>
    public ImmutableArray<WanEndpoint> Endpoints { get; set; } = [];

    /// <summary>What the tunnel supervisor last said: connected or not.</summary>
    public bool TunnelConnected { get; set; }

    /// <summary>Whether the tunnel device exists and is up, from the netlink monitor.</summary>
    public bool DevicePresent { get; set; }

    /// <summary>Why the egress is down (or the last state), for status and logs.</summary>
    public string Reason { get; set; } = "starting";

    /// <summary>Since when the egress has been in its current up/down state.</summary>
    public DateTimeOffset Since { get; private set; } = DateTimeOffset.UtcNow;

    /// <summary>Resolvers the tunnel pushed (for the DNS forwarder).</summary>
    public ImmutableArray<System.Net.IPAddress> PushedDns { get; set; } = [];

    /// <summary>True when traffic may leave through this egress now.</summary>
    public bool IsUp => _up;

    /// <summary>The egress this one rides on (<c>via</c>), or null.</summary>
    public EgressRuntime? Via { get; set; }

    /// <summary>
    /// What the state says the egress should be: a tunnel needs both its supervisor and its device; an egress
    /// riding on another one needs that one too.
    /// </summary>
    public bool ShouldBeUp => !Removed && (Via?.ShouldBeUp ?? true) && (Device is null ? TunnelConnected : TunnelConnected && DevicePresent);

    /// <summary>Taken out of the configuration by a reload: down for good (its slot stays reserved until a restart).</summary>
    public bool Removed { get; set; }

    /// <summary>The tunnel driver supervising this egress's process, if it has one.</summary>
    public ITunnelDriver? Driver { get; set; }

    /// <summary>Publishes the new state; returns true when it changed.</summary>
    public bool SetUp(bool up)
    {
        if (_up == up)
        {
            return false;
        }

        _up = up;
        Since = DateTimeOffset.UtcNow;
        return true;
    }

    /// <summary>
    /// What the firewall allows this egress. Its endpoints stay open while it is down (to come back up: a tunnel's
    /// remote, a proxy's TCP port for its health check); a SOCKS5 proxy's UDP relay ports only carry flows, so they
    /// are open only while it is up (not in lockdown, not in the closed fallback).
    /// </summary>
    public EgressFirewall ToFirewall() =>
        new(Name, Slot, IsUp ? Device : null, IsUp ? Endpoints : [.. Endpoints.Where(e => e.Port != WanEndpoint.AnyPort)],
            AnyWan: Config is DirectEgressConfig && !Removed);
}
