using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Galaxy.Agent.Config;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Firewall;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;
using Galaxy.Agent.Relay.Udp;
using Galaxy.Agent.Routing.Policy;
using Galaxy.Netlink;
using Galaxy.Netlink.NfTables;
using Galaxy.Netlink.Route;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Agent;

/// <summary>
/// The agent: one reconcile loop over <see cref="AgentEvent"/>s. It starts closed (the ruleset with every
/// egress down), opens what each egress needs as it comes up, and closes it again the moment the tunnel
/// supervisor or the netlink monitor says it is gone. It never deletes its table: when it exits or
/// crashes, the kernel keeps the last ruleset, and with the relay gone that ruleset drops LAN traffic.
/// </summary>
internal sealed partial class AgentHost : IAsyncDisposable
{
    private GalaxyConfig _config;
    private readonly ILoggerFactoryLite _logs;
    private readonly ILogger _logger;
    private readonly Channel<AgentEvent> _events = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ImmutableArray<EgressRuntime> _egresses;
    private readonly Func<EgressRuntime, ITunnelDriver?> _driverFactory;
    private readonly List<ITunnelDriver> _drivers = [];
    private readonly List<IAsyncDisposable> _relays = [];
    private readonly List<IDisposable> _owned = [];
    private readonly Relay.FlowRegistry _flows;
    private readonly AgentControl _control;
    private Control.ControlServer? _controlServer;
    private readonly List<Dns.DnsServer> _dnsServers = [];
    private Dns.DnsForwarder? _dnsForwarder;
    private RtNetlinkClient? _rtnl;
    private FirewallApplier? _firewall;
    private PolicyRouting? _policy;
    private RouteMonitor? _monitor;

    public AgentHost(GalaxyConfig config, ILoggerFactoryLite logs, Func<EgressRuntime, ITunnelDriver?> driverFactory)
    {
        _config = config;
        _logs = logs;
        _logger = logs.Create("agent");
        _driverFactory = driverFactory;
        _egresses = CreateRuntimes(config);
        _control = new AgentControl(this);
        _flows = new Relay.FlowRegistry(ended: _control.FlowEnded);
        DialFailures = new Relay.EgressDialFailures(_logger);
    }

    /// <summary>Whether Galaxy's table has been committed by this agent (it then stays, also after the agent).</summary>
    public bool FirewallInPlace => _firewall?.Current is not null;

    /// <summary>Whether the last commit read back exactly as committed.</summary>
    public bool RulesetVerified { get; private set; }

    /// <summary>The egresses in configuration order (the default group fails over in this order).</summary>
    public ImmutableArray<EgressRuntime> Egresses => _egresses;

    /// <summary>Per egress, the flows the relays could not dial through it (count, last error).</summary>
    public Relay.EgressDialFailures DialFailures { get; }

    /// <summary>Set once the first verified ruleset is in place and the tunnels are released.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The LAN resolver's forwarder (statistics, the names behind answered addresses); null before start.</summary>
    public Dns.DnsForwarder? DnsForwarder => _dnsForwarder;

    /// <summary>Every relayed flow, with its egress and byte counts.</summary>
    public Relay.FlowRegistry Flows => _flows;

    /// <summary>Posts an event to the loop (thread-safe).</summary>
    public void Post(AgentEvent agentEvent) => _events.Writer.TryWrite(agentEvent);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        AgentLog.Starting(_logger, _egresses.Length, _config.Router.LanInterfaces, _config.Router.WanInterface);

        // First, before touching the kernel: a second agent must not rewrite the running one's firewall. The
        // control socket refuses to replace a live one ("another agent is running"), and then nothing was changed.
        _controlServer = await Control.ControlServer.StartAsync(
            _control,
            new Control.ControlServerOptions { SocketPath = _config.Control.Socket, Group = _config.Control.Group },
            _logs.Create("control"),
            cancellationToken).ConfigureAwait(false);
        _rtnl = RtNetlinkClient.Open(_logs.Create("netlink"));
        var nft = NfTablesClient.Open(_logs.Create("nftables"));
        _owned.Add(nft);
        _firewall = new FirewallApplier(nft, _logs.Create("firewall"));
        _policy = new PolicyRouting(_rtnl);

        // Closed first: every egress down, nothing but DHCP and the egresses' own endpoints on the WAN.
        foreach (var failure in Hardening.Apply())
        {
            AgentLog.SettingFailed(_logger, failure);
        }

        // The bootstrap resolvers are reachable (marked) from the first ruleset on; the egresses' host names
        // are resolved through them and pinned, then the ruleset lets each tunnel reach exactly its remotes.
        ApplyFirewall();
        await PinEndpointsAsync(cancellationToken).ConfigureAwait(false);
        ApplyFirewall();
        _policy.ApplyStatic([.. _egresses.Select(e => e.Slot)]);
        foreach (var egress in _egresses)
        {
            _policy.SetTunnel(egress.Slot, null);
        }

        _monitor = RouteMonitor.Open(_logs.Create("monitor"));
        _owned.Add(_monitor);
        _ = PumpMonitorAsync(_monitor, cancellationToken);
        ReadLinks();
        StartRouting(cancellationToken);
        StartRelays();
        StartDns();

        foreach (var egress in _egresses)
        {
            var index = egress.Slot.Index;
            if (egress.Config is OpenVpnEgressConfig && egress.PinnedRemotes.IsEmpty)
            {
                // Nothing to connect to (no remote resolved): the egress stays down; the others still run.
                Post(new TunnelReported(index, new TunnelReport(false, "unresolved", "no remote of the profile resolved through the bootstrap resolvers", [])));
                continue;
            }

            var driver = _driverFactory(egress);
            if (driver is null)
            {
                // Proxies and direct: nothing to supervise; usable as soon as the firewall lets them out.
                Post(new TunnelReported(index, new TunnelReport(true, "ready", null, [])));
                continue;
            }

            _drivers.Add(driver);
            egress.Driver = driver;
            driver.Start(report => Post(new TunnelReported(index, report)));
        }

        while (_events.Reader.TryRead(out var early))
        {
            Handle(early);
        }

        Reconcile();
        foreach (var driver in _drivers)
        {
            driver.ReleaseHold();
        }

        // SIGHUP reloads the configuration file (as the service manager's "reload" sends it), also when the agent
        // was started with SIGHUP ignored (nohup).
        using var hangup = Interop.PosixSignals.Handle(System.Runtime.InteropServices.PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Post(new ReloadRequested(null));
        });
        AgentLog.Ready(_logger, _egresses.Length);
        Ready.TrySetResult();

        try
        {
            await foreach (var agentEvent in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                Handle(agentEvent);
                while (_events.Reader.TryRead(out var next))
                {
                    Handle(next);
                }

                Reconcile();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        AgentLog.Stopping(_logger);
    }

    private void Handle(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case TunnelReported { EgressIndex: var index, Report: var report }:
                var egress = _egresses[index];
                egress.TunnelConnected = report.Connected;
                egress.Reason = report.Reason is null ? report.State : $"{report.State}: {report.Reason}";
                if (!report.PushedDns.IsDefaultOrEmpty)
                {
                    egress.PushedDns = report.PushedDns;
                }

                AgentLog.TunnelState(_logger, egress.Name, report.State, report.Reason is null ? "" : $" ({report.Reason})");
                break;
            case LinkReported { Name: var name, PresentAndUp: var present }:
                foreach (var e in _egresses)
                {
                    if (e.Device == name)
                    {
                        e.DevicePresent = present;
                        if (!present)
                        {
                            e.Reason = $"device {name} is gone";
                        }
                    }
                }

                break;
            case ResyncRequested:
                AgentLog.Resync(_logger);
                ReadLinks();
                break;
            case ReloadRequested { Done: var done }:
                var result = Reload();
                done?.TrySetResult(result);
                break;
            case LockdownRequested lockdown:
                ApplyLockdown(lockdown);
                break;
        }
    }

    /// <summary>
    /// Brings kernel and relay in line with the egresses' state. Going down: the relay refuses new flows at
    /// once, the firewall closes the device, the table falls back to unreachable, the flows are closed.
    /// Coming up: the route first, then the firewall, then the relay may use it.
    /// </summary>
    private void Reconcile()
    {
        var goingDown = _egresses.Where(e => e.IsUp && (!e.ShouldBeUp || _lockdown)).ToList();
        var comingUp = _egresses.Where(e => !e.IsUp && e.ShouldBeUp && !_lockdown).ToList();
        if (goingDown.Count == 0 && comingUp.Count == 0)
        {
            return;
        }

        foreach (var egress in goingDown)
        {
            egress.SetUp(false);
            AgentLog.EgressDown(_logger, egress.Name, egress.Reason);
            _control.EgressDown(egress);
        }

        if (goingDown.Count > 0)
        {
            ApplyFirewall();
            foreach (var egress in goingDown)
            {
                SetRoute(egress, null);
                var closed = _flows.CloseFlows(egress.Name);
                if (closed > 0)
                {
                    AgentLog.FlowsClosed(_logger, closed, egress.Name);
                }
            }
        }

        foreach (var egress in comingUp)
        {
            if (egress.Device is not null)
            {
                SetRoute(egress, egress.Device);
            }

            egress.SetUp(true);
        }

        if (comingUp.Count > 0)
        {
            if (!ApplyFirewall())
            {
                // Refused or not verified: the closed ruleset is in place; the relay must agree with it.
                foreach (var egress in comingUp)
                {
                    egress.SetUp(false);
                    SetRoute(egress, null);
                }

                return;
            }

            foreach (var egress in comingUp)
            {
                AgentLog.EgressUp(_logger, egress.Name, egress.Device ?? "none");
                _control.EgressUp(egress);
            }
        }
    }

    private void SetRoute(EgressRuntime egress, string? device)
    {
        if (egress.Device is null)
        {
            return;
        }

        try
        {
            _policy!.SetTunnel(egress.Slot, device);
        }
        catch (NetlinkException e)
        {
            AgentLog.RoutingFailed(_logger, egress.Name, e);
        }
    }

    /// <summary>Applies the ruleset for the current state; on any failure, the closed one. True when the wanted ruleset is verified in place.</summary>
    private bool ApplyFirewall()
    {
        var wanted = RulesetBuilder.Build(FirewallInputs());
        try
        {
            var verification = _firewall!.Apply(wanted);
            RulesetVerified = verification.Matches;
            if (verification.Matches)
            {
                FirewallLog.Applied(_logger, wanted.Rules.Length);
                return true;
            }
        }
        catch (NetlinkException e)
        {
            AgentLog.FirewallFailed(_logger, e);
        }

        var wentDown = new List<EgressRuntime>();
        foreach (var egress in _egresses)
        {
            if (egress.SetUp(false))
            {
                wentDown.Add(egress);
            }
        }

        try
        {
            RulesetVerified = _firewall!.Apply(RulesetBuilder.Build(FirewallInputs())).Matches;
        }
        catch (NetlinkException e)
        {
            RulesetVerified = false;
            AgentLog.ClosedFailed(_logger, e);
        }

        // Down, so their flows end too (as in Reconcile: refused first, the firewall closed, then the flows closed).
        foreach (var egress in wentDown)
        {
            var closed = _flows.CloseFlows(egress.Name);
            if (closed > 0)
            {
                AgentLog.FlowsClosed(_logger, closed, egress.Name);
            }
        }

        return false;
    }

    private FirewallInputs FirewallInputs() => new(
        _config.Router.LanInterfaces,
        _config.Router.WanInterface,
        _config.Relay.Port,
        _config.Dns.Port,
        [.. _egresses.Select(e => e.ToFirewall())],
        [.. _config.Dns.Bootstrap.Select(b => new WanEndpoint(b.Address, b.Port, Tcp: false))],
        _config.Dhcp.Enabled ? [_config.Dhcp.Interface] : [],
        ProcessGroups());

    private void ReadLinks()
    {
        var links = _rtnl!.ListLinks();
        foreach (var egress in _egresses)
        {
            if (egress.Device is { } device)
            {
                var link = links.FirstOrDefault(l => l.Name == device);
                Handle(new LinkReported(device, link is { IsUp: true }));
            }
        }
    }

    private async Task PumpMonitorAsync(RouteMonitor monitor, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var routeEvent in monitor.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (routeEvent)
                {
                    case LinkChanged { Link: var link, Deleted: var deleted }:
                        Post(new LinkReported(link.Name, !deleted && link.IsUp));
                        break;
                    case EventsLost:
                        Post(new ResyncRequested("monitor overrun"));
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The LAN resolver on the TPROXY port, on 127.0.0.1 and [::1] (every LAN query to port 53 lands there), and the router's own on
    /// 127.0.0.1:53 (what <c>/etc/resolv.conf</c> names). Both forward through the first egress that is up,
    /// to the configured resolvers or the ones the tunnel pushed; with no egress up they answer SERVFAIL
    /// and send nothing.
    /// </summary>
    private void StartDns()
    {
        var forwarder = new Dns.DnsForwarder(DnsUpstream, new Dns.DnsCache(), _names, logger: _logs.Create("dns"));
        _dnsForwarder = forwarder;
        var lan = new IPEndPoint(IPAddress.Loopback, _config.Dns.Port);
        _dnsServers.Add(StartDnsServer(forwarder, lan));
        AgentLog.DnsListening(_logger, lan);

        // The same resolver for IPv6 LAN hosts (the firewall sends their DNS to [::1]); a host without IPv6
        // answers IPv4 only, and IPv6 DNS stays dropped.
        var lan6 = new IPEndPoint(IPAddress.IPv6Loopback, _config.Dns.Port);
        try
        {
            _dnsServers.Add(StartDnsServer(forwarder, lan6));
            AgentLog.DnsListening(_logger, lan6);
        }
        catch (SocketException e)
        {
            AgentLog.Ipv6DnsUnavailable(_logger, lan6, e.Message);
        }
        if (_config.Dns.Port != 53)
        {
            try
            {
                _dnsServers.Add(StartDnsServer(forwarder, new IPEndPoint(IPAddress.Loopback, 53)));
            }
            catch (SocketException e)
            {
                AgentLog.LocalDnsUnavailable(_logger, e.Message);
            }
        }

        if (_config.Dns.ResolvConf is { } resolvConf)
        {
            Dns.ResolvConf.Write(resolvConf, IPAddress.Loopback);
        }
    }

    private Dns.DnsServer StartDnsServer(Dns.DnsForwarder forwarder, IPEndPoint endPoint)
    {
        var udp = Dns.DnsServer.ListenUdp(endPoint);
        Socket tcp;
        try
        {
            tcp = Dns.DnsServer.ListenTcp(endPoint);
        }
        catch
        {
            udp.Dispose();
            throw;
        }

        var server = new Dns.DnsServer(forwarder, udp, tcp, logger: _logs.Create("dns"));
        server.Start();
        return server;
    }

    /// <summary>
    /// Where the agent's resolver forwards: through the first egress of the default that is up (so a <c>direct</c>
    /// egress carries DNS only when the default names it), to the configured resolvers or the ones it pushed.
    /// </summary>
    private Dns.DnsUpstream? DnsUpstream()
    {
        if (_router?.FirstUpDefaultEgress() is not { } egress)
        {
            return null;
        }

        IReadOnlyList<IPEndPoint> servers = !_config.Dns.Servers.IsEmpty
            ? _config.Dns.Servers
            : [.. egress.PushedDns.Select(a => new IPEndPoint(a, 53))];
        return servers.Count == 0 ? null : new Dns.DnsUpstream(egress.Dialer, servers);
    }

    private void StartRelays()
    {
        var options = new TcpRelayOptions
        {
            MaxConnections = _config.Relay.MaxConnections,
            AcceptLoops = _config.Relay.SpliceLoops, // one listener per address for each loop, which accepts on its own thread
            SniffDomainWhen = () => _router?.Plan.NeedsDomains == true,
            SniffTimeout = _config.Routing.SniffTimeout,
        };
        var loops = Enumerable.Range(0, _config.Relay.SpliceLoops).Select(i => new SpliceLoop($"galaxy-splice-{i}", options.IdleTimeout)).ToArray();
        foreach (var loop in loops)
        {
            _owned.Add(loop);
        }

        // 127.0.0.1 and [::1] (TPROXY targets of each family); IPv6 is skipped where the host has none.
        var listeners = RelayListeners.Open(_config.Relay.Port, options, _logger);
        var tcp = new TcpRelay(listeners.Tcp, RouteTcp, loops, options, registry: _flows, logger: _logger, dialFailures: DialFailures);
        tcp.Start();
        _relays.Add(tcp);
        TcpRelay = tcp;
        var udpRelays = new List<UdpRelay>();
        foreach (var listener in listeners.Udp)
        {
            var udp = new UdpRelay(listener, RouteUdp, new UdpRelayOptions(), registry: _flows, dialFailures: DialFailures);
            udp.Start();
            _owned.Add(udp);
            udpRelays.Add(udp);
            AgentLog.RelayListening(_logger, (IPEndPoint)listener.LocalEndPoint!);
        }

        UdpRelays = udpRelays;
    }

    private async Task PinEndpointsAsync(CancellationToken cancellationToken)
    {
        var resolver = new Dns.BootstrapResolver();
        foreach (var egress in _egresses)
        {
            switch (egress.Config)
            {
                case ProxyEgressConfig proxy when proxy.Via is null:
                    var proxyAddress = IPAddress.Parse(proxy.Address.Host.Trim('[', ']'));
                    var control = new WanEndpoint(proxyAddress, proxy.Address.Port, Tcp: true);

                    // UDP ASSOCIATE: datagrams go to the relay port the proxy names in each association's reply (a port
                    // of its own choosing), at the proxy's own address; to any other address they stay dropped.
                    egress.Endpoints = proxy.ProxyKind == "socks5" ? [control, new WanEndpoint(proxyAddress, WanEndpoint.AnyPort, Tcp: false)] : [control];
                    break;
                case OpenVpnEgressConfig openVpn:
                    egress.PinnedRemotes = await PinOpenVpnAsync(openVpn, resolver, cancellationToken).ConfigureAwait(false);
                    egress.Endpoints = [.. egress.PinnedRemotes.Select(r => new WanEndpoint(r.Address, r.Port, r.Transport == Tunnels.OpenVpn.OvpnTransport.Tcp))];
                    break;
            }
        }
    }

    /// <summary>
    /// Each remote of the profile as one address: literals as written, host names through the bootstrap
    /// resolvers from the marked socket (never the system resolver). A name that does not resolve is left
    /// out (logged); with no remote left the egress simply never connects.
    /// </summary>
    private async Task<ImmutableArray<Tunnels.OpenVpn.PinnedRemote>> PinOpenVpnAsync(OpenVpnEgressConfig config, Dns.BootstrapResolver resolver, CancellationToken cancellationToken)
    {
        var pinned = ImmutableArray.CreateBuilder<Tunnels.OpenVpn.PinnedRemote>();
        var remotes = config.Imported.Remotes;
        for (var i = 0; i < remotes.Length; i++)
        {
            var remote = remotes[i];
            var family = remote.IpVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            var result = await resolver.ResolveAsync(remote.Host, family, _config.Dns.Bootstrap, EgressSlot.BootstrapDnsMark, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == Dns.BootstrapOutcome.Resolved && result.Addresses.Count > 0)
            {
                pinned.Add(new Tunnels.OpenVpn.PinnedRemote(result.Addresses[0], remote.Port, remote.Transport, i));
            }
            else
            {
                AgentLog.RemoteUnresolved(_logger, config.Name, remote.Host, result.Detail);
            }
        }

        return pinned.ToImmutable();
    }

    private static EgressRuntime CreateRuntime(EgressConfig config, EgressSlot slot)
    {
        var timeout = TimeSpan.FromSeconds(10);
        switch (config)
        {
            case OpenVpnEgressConfig:
                return new EgressRuntime(config, slot, new DeviceDialer(config.Name, slot.DeviceName, slot.RouteMark, timeout), slot.DeviceName);
            case ProxyEgressConfig proxy:
                // Reached on the WAN by a socket with the egress's process mark: the firewall lets that mark
                // reach this proxy's address and port, nothing else.
                return CreateProxyRuntime(proxy, slot, new DeviceDialer("wan", null, slot.ProcessMark, timeout));
            case SshEgressConfig ssh:
                return CreateSshRuntime(ssh, slot);
            default:
                return new EgressRuntime(config, slot, new DeviceDialer(config.Name, null, slot.ProcessMark, timeout), null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        if (_controlServer is not null)
        {
            await _controlServer.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var driver in _drivers)
        {
            await driver.DisposeAsync().ConfigureAwait(false);
        }

        // Everything down, and the kernel told so, before the relay goes: the table stays, closed.
        if (_firewall is not null)
        {
            foreach (var egress in _egresses)
            {
                egress.SetUp(false);
            }

            try
            {
                _firewall.Apply(RulesetBuilder.Build(FirewallInputs()));
            }
            catch (NetlinkException e)
            {
                AgentLog.ClosedFailed(_logger, e);
            }
        }

        foreach (var relay in _relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var dns in _dnsServers)
        {
            await dns.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _rtnl?.Dispose();
    }
}
