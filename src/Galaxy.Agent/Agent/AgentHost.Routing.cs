using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Config;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Agent;

/// <summary>
/// The agent's routing: the plan compiled from the configuration's rules and groups, the router the relays
/// ask for each new flow, and reloading (SIGHUP or the control socket) — checked in full first; a refused
/// file changes nothing.
/// </summary>
internal sealed partial class AgentHost
{
    private readonly Dns.DnsNameMemory _names = new();
    private FlowRouter? _router;
    private MaxMindCountryLookup? _geoip;

    /// <summary>The router deciding new flows; null before start.</summary>
    public FlowRouter? Router => _router;

    /// <summary>Asks the loop to reload the configuration file; completes with what happened.</summary>
    public Task<ReloadResult> ReloadAsync()
    {
        var done = new TaskCompletionSource<ReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new ReloadRequested(done));
        return done.Task;
    }

    private void StartRouting(CancellationToken cancellationToken)
    {
        _router = new FlowRouter(BuildPlan(_config), _egresses, _flows, _names);
        var prober = new LatencyProber(_router, _egresses.ToDictionary(e => e.Name, StringComparer.Ordinal), _logs.Create("latency"));
        _ = prober.RunAsync(cancellationToken);
        _router.SetLanNetworks(ReadLanNetworks());
        var rules = _config.Routing.Rules.Length;
        AgentLog.RoutingReady(_logger, rules, _router.Plan.Groups.Count, _router.Plan.DefaultTarget);
    }

    private FlowRoute RouteTcp(IPEndPoint client, IPEndPoint destination, string? domain) =>
        _router?.RouteTcp(client, destination, domain) ?? default;

    private FlowRoute RouteUdp(IPEndPoint client, IPEndPoint destination) =>
        _router?.RouteUdp(client, destination) ?? default;

    /// <summary>Compiles the routing part of <paramref name="config"/>; opens the GeoIP database when it names a new one.</summary>
    private RoutingPlan BuildPlan(GalaxyConfig config)
    {
        var routing = config.Routing;
        MaxMindCountryLookup? geoip = null;
        if (routing.GeoIpDatabase is { } path)
        {
            geoip = _geoip is not null && _geoip.Source == path ? _geoip : MaxMindCountryLookup.Open(path);
        }

        ICountryCoordinates coordinates = routing.CountriesFile is { } countries ? WorldCountries.Load(countries) : CountryCoordinates.BuiltIn;
        var plan = RoutingPlan.Build(routing, config.Egresses, geoip, coordinates, TimeProvider.System);
        if (!ReferenceEquals(geoip, _geoip))
        {
            var old = _geoip;
            _geoip = geoip;
            if (old is not null)
            {
                // A relay thread may still be reading the old file: unmap it only once those decisions are long done.
                _ = Task.Delay(TimeSpan.FromMinutes(1)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
            }
        }

        return plan;
    }

    /// <summary>The networks of the LAN interfaces (for rules matching <c>lan</c>).</summary>
    private List<(IPNetwork, string)> ReadLanNetworks()
    {
        var networks = new List<(IPNetwork, string)>();
        var links = _rtnl!.ListLinks().ToDictionary(l => l.Index, l => l.Name);
        foreach (var address in _rtnl.ListAddresses())
        {
            if (links.TryGetValue(address.LinkIndex, out var name) && _config.Router.LanInterfaces.Contains(name))
            {
                var network = new IPNetwork(Mask(address.Address, address.PrefixLength), address.PrefixLength);
                networks.Add((network, name));
            }
        }

        return networks;
    }

    private static IPAddress Mask(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    /// <summary>
    /// Reloads the file the agent started from. Rules, groups, clients, [routing] and the egresses' exits take
    /// effect for new flows; established flows keep their egress. A change to anything else (the egresses
    /// themselves, interfaces, ports, DNS, control) needs a restart and is refused, as is any invalid file:
    /// the running configuration stays.
    /// </summary>
    private ReloadResult Reload()
    {
        GalaxyConfig loaded;
        try
        {
            loaded = ConfigLoader.LoadFile(_config.SourcePath);
        }
        catch (ConfigException e)
        {
            var errors = e.Errors.Select(error => error.ToString()).ToImmutableArray();
            AgentLog.ReloadRefused(_logger, _config.SourcePath, string.Join("; ", errors));
            return new ReloadResult(false, errors, "the file was refused; the running configuration stays");
        }

        var restart = ConfigChanges.NeedingRestart(_config, loaded);
        if (!restart.IsEmpty)
        {
            AgentLog.ReloadRefused(_logger, _config.SourcePath, string.Join("; ", restart));
            return new ReloadResult(false, restart, "these changes need a restart of the agent; nothing was changed");
        }

        RoutingPlan plan;
        try
        {
            plan = BuildPlan(loaded);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            AgentLog.ReloadRefused(_logger, _config.SourcePath, e.Message);
            return new ReloadResult(false, [e.Message], "the routing could not be compiled; the running configuration stays");
        }

        var removed = ConfigChanges.Removed(_config, loaded);
        _config = _config with { Routing = loaded.Routing, Egresses = loaded.Egresses };
        _router!.Swap(plan);
        foreach (var name in removed)
        {
            RemoveEgress(_egresses.First(e => e.Name == name));
        }

        if (!removed.IsEmpty)
        {
            // Their endpoints and process rules leave the ruleset now; the reconcile after this event takes down
            // those that were up (routes, flows).
            ApplyFirewall();
        }

        var summary = $"{loaded.Routing.Rules.Length} rule(s), {plan.Groups.Count} group(s), default '{plan.DefaultTarget}'" +
            (removed.IsEmpty ? "" : $"; removed egress(es): {string.Join(", ", removed)}");
        AgentLog.Reloaded(_logger, summary);
        return new ReloadResult(true, [], summary);
    }
}

internal sealed partial class AgentHost
{
    /// <summary>Takes an egress out for good: its process stops, the firewall forgets its endpoints, its flows end.</summary>
    private void RemoveEgress(EgressRuntime egress)
    {
        egress.Removed = true;
        egress.Reason = "removed from the configuration";
        egress.Endpoints = [];
        egress.TunnelConnected = false;
        if (egress.Driver is { } driver)
        {
            egress.Driver = null;
            _drivers.Remove(driver);
            _ = driver.DisposeAsync().AsTask();
        }

        if (!egress.IsUp)
        {
            var closed = _flows.CloseFlows(egress.Name);
            if (closed > 0)
            {
                AgentLog.FlowsClosed(_logger, closed, egress.Name);
            }
        }
    }
}

/// <summary>What a reload did: applied, or refused with every reason.</summary>
internal sealed record ReloadResult(bool Applied, ImmutableArray<string> Errors, string Summary);
