using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Agent;

/// <summary>
/// Decides each new flow's way out, from any relay thread: the current <see cref="RoutingPlan"/> names an
/// egress, a group (which picks a healthy member), or a refusal; an egress that is down refuses the flow,
/// it is never sent elsewhere. The domain comes from the relay (TLS SNI, HTTP Host) or else from the names
/// the agent's resolver answered with this address. <see cref="Swap"/> installs a reloaded plan: new flows
/// follow it, established ones keep their egress.
/// </summary>
internal sealed class FlowRouter : IEgressHealth
{
    private readonly FrozenDictionary<string, EgressRuntime> _egresses;
    private readonly FlowRegistry _flows;
    private readonly Dns.DnsNameMemory? _names;
    private readonly ConcurrentDictionary<string, TimeSpan> _latency = new(StringComparer.Ordinal);
    private readonly BlockDialer _reject = BlockDialer.Reject();
    private readonly BlockDialer _drop = BlockDialer.Drop();
    private volatile RoutingPlan _plan;
    private volatile (IPNetwork Network, string Interface)[] _lanNetworks = [];

    public FlowRouter(RoutingPlan plan, IEnumerable<EgressRuntime> egresses, FlowRegistry flows, Dns.DnsNameMemory? names)
    {
        _plan = plan;
        _egresses = egresses.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);
        _flows = flows;
        _names = names;
    }

    public RoutingPlan Plan => _plan;

    /// <summary>Installs a new plan; flows decided from now on follow it.</summary>
    public void Swap(RoutingPlan plan) => _plan = plan;

    /// <summary>The LAN interfaces' networks, so a rule's <c>lan</c> can match the interface a client sits behind.</summary>
    public void SetLanNetworks(IEnumerable<(IPNetwork Network, string Interface)> networks) => _lanNetworks = [.. networks];

    /// <summary>Records a latency probe's result for <paramref name="egress"/> (null: the probe failed).</summary>
    public void ReportLatency(string egress, TimeSpan? latency)
    {
        if (latency is { } value)
        {
            _latency[egress] = value;
        }
        else
        {
            _latency.TryRemove(egress, out _);
        }
    }

    public FlowRoute RouteTcp(IPEndPoint client, IPEndPoint destination, string? domain) => Route(client, destination, domain, RouteProtocol.Tcp);

    public FlowRoute RouteUdp(IPEndPoint client, IPEndPoint destination) => Route(client, destination, null, RouteProtocol.Udp);

    public FlowRoute Route(IPEndPoint client, IPEndPoint destination, string? domain, RouteProtocol protocol)
    {
        var plan = _plan;
        var decision = Decide(plan, Query(client.Address, destination.Address, destination.Port, protocol, domain));
        var (dialer, _) = Resolve(plan, decision);
        return new FlowRoute(dialer, decision.RuleName);
    }

    /// <summary>What <c>galaxy route explain</c> prints: the flow, the rule, the group, the member chosen and why.</summary>
    public RouteExplanation Explain(IPAddress source, IPAddress destination, int port, RouteProtocol protocol, string? domain)
    {
        var plan = _plan;
        var decision = Decide(plan, Query(source, destination, port, protocol, domain));
        var (dialer, why) = Resolve(plan, decision);
        return new RouteExplanation(decision, dialer?.Name, why);
    }

    /// <summary>The first egress of the default (<see cref="RoutingPlan.DefaultEgresses"/>) that is up, or null.</summary>
    public EgressRuntime? FirstUpDefaultEgress()
    {
        foreach (var name in _plan.DefaultEgresses)
        {
            if (_egresses.TryGetValue(name, out var egress) && egress.IsUp)
            {
                return egress;
            }
        }

        return null;
    }

    public bool IsUp(string egress) => _egresses.TryGetValue(egress, out var runtime) && runtime.IsUp;

    public int Connections(string egress) => _flows.ConnectionsOf(egress);

    public TimeSpan? Latency(string egress) => _latency.TryGetValue(egress, out var latency) ? latency : null;

    private FlowQuery Query(IPAddress source, IPAddress destination, int port, RouteProtocol protocol, string? domain)
    {
        source = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        destination = destination.IsIPv4MappedToIPv6 ? destination.MapToIPv4() : destination;
        return new FlowQuery(source, LanOf(source), destination, port, protocol, domain);
    }

    /// <summary>
    /// The table's decision. Without a name from the relay, every name the resolver gave for this address is
    /// tried and the earliest matching rule wins (several names may share an address).
    /// </summary>
    private RouteDecision Decide(RoutingPlan plan, FlowQuery query)
    {
        var decision = plan.Table.Decide(query);
        if (query.Domain is not null || !plan.NeedsDomains || _names is null || !_names.TryGetNames(query.Destination, out var names))
        {
            return decision;
        }

        foreach (var name in names)
        {
            var named = plan.Table.Decide(query with { Domain = name });
            if (named.RuleIndex >= 0 && (decision.RuleIndex < 0 || named.RuleIndex < decision.RuleIndex))
            {
                decision = named;
            }
        }

        return decision;
    }

    private (IEgressDialer? Dialer, string Why) Resolve(RoutingPlan plan, RouteDecision decision)
    {
        switch (decision.Action)
        {
            case RouteActionKind.Reject:
                return (_reject, "rejected by the rule");
            case RouteActionKind.Drop:
                return (_drop, "dropped by the rule");
            case RouteActionKind.Egress:
                return Egress(decision.Target!, $"egress '{decision.Target}'");
            default:
                if (!plan.Groups.TryGetValue(decision.Target!, out var group))
                {
                    // Only the implicit default group can be missing: no egress but direct ones, none named.
                    return decision.Target == plan.DefaultTarget && _egresses.TryGetValue(decision.Target!, out _)
                        ? Egress(decision.Target!, $"the default egress '{decision.Target}'")
                        : (null, $"'{decision.Target}' has no member (only direct egresses, and none named as the default): the flow is refused");
                }

                var choice = group.Choose(decision.Query, this);
                return choice.Egress is { } member ? Egress(member, choice.Why) : (null, choice.Why);
        }
    }

    private (IEgressDialer? Dialer, string Why) Egress(string name, string why)
    {
        if (!_egresses.TryGetValue(name, out var egress))
        {
            return (null, $"{why}: no such egress");
        }

        return egress.IsUp ? (egress.Dialer, why) : (null, $"{why} is down ({egress.Reason}): the flow is refused, never sent elsewhere");
    }

    private string? LanOf(IPAddress source)
    {
        foreach (var (network, name) in _lanNetworks)
        {
            if (network.BaseAddress.AddressFamily == source.AddressFamily && network.Contains(source))
            {
                return name;
            }
        }

        return null;
    }
}

/// <summary>A decision with the member chosen (null: refused) and why, for <c>galaxy route explain</c>.</summary>
internal sealed record RouteExplanation(RouteDecision Decision, string? Egress, string Why)
{
    public string Text()
    {
        var target = Decision.Action switch
        {
            RouteActionKind.Group => $"group:   {Decision.Target}\n",
            _ => string.Empty,
        };
        return $"{Decision.Explain()}\n{target}egress:  {Egress ?? "(none: refused)"}\nchosen:  {Why}";
    }
}
