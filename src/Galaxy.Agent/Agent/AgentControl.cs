using System.Collections.Concurrent;
using System.Threading.Channels;
using Galaxy.Agent.Cli;
using Galaxy.Agent.Control;
using Galaxy.Agent.Firewall;
using Galaxy.Agent.Relay;
using Galaxy.Netlink;
using Galaxy.Netlink.NfTables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Agent;

/// <summary>
/// What the control socket sees of the running agent (<see cref="IAgentControl"/>): reads of the egresses'
/// published state and of the flow registry, never a secret. Bytes per egress are those of the flows that
/// ended plus those still running. The event stream is an <see cref="EventHub"/> the reconcile loop publishes to.
/// </summary>
internal sealed class AgentControl : IAgentControl
{
    private readonly AgentHost _host;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly ConcurrentDictionary<string, (long Up, long Down)> _ended = new(StringComparer.Ordinal);
    private readonly EventHub _events = new();

    public AgentControl(AgentHost host)
    {
        _host = host;
    }

    /// <summary>Called by the flow registry with each flow's final accounting.</summary>
    public void FlowEnded(FlowInfo flow) =>
        _ended.AddOrUpdate(flow.Egress, (flow.BytesUp, flow.BytesDown), (_, total) => (total.Up + flow.BytesUp, total.Down + flow.BytesDown));

    public AgentStatus Status()
    {
        var egresses = _host.Egresses;
        return new AgentStatus(
            BuildInfo.Current.Version,
            _startedAt,
            _host.KillSwitchState,
            _host.RulesetVerified,
            new EgressSummary(egresses.Length, egresses.Count(e => e.IsUp)));
    }

    public IReadOnlyList<EgressStatus> Egresses()
    {
        var flows = _host.Flows.Snapshot();
        return [.. _host.Egresses.Select(e =>
        {
            var running = flows.Where(f => f.Egress == e.Name).ToList();
            var ended = _ended.TryGetValue(e.Name, out var total) ? total : default;
            var failures = _host.DialFailures.Of(e.Name);
            return new EgressStatus(
                e.Name,
                e.Config.Kind,
                e.IsUp,
                e.Since,
                e.IsUp ? null : DownReason(e),
                ended.Up + running.Sum(f => f.BytesUp),
                ended.Down + running.Sum(f => f.BytesDown),
                running.Count,
                _host.Router?.Latency(e.Name)?.TotalMilliseconds,
                failures?.Count ?? 0,
                failures?.LastError,
                failures?.LastAt);
        })];
    }

    public IReadOnlyList<FlowInfo> Connections() => _host.Flows.Snapshot();

    public bool CloseConnection(long id) => _host.Flows.Close(id);

    /// <summary>The stream starts with the current state, in the events' own terms: the kill switch, then each egress.</summary>
    public ChannelReader<string>? Subscribe(CancellationToken ct) => _events.Subscribe(ct, () =>
    {
        var now = DateTimeOffset.UtcNow;
        return [ControlEvent.KillSwitch(_host.KillSwitchState, _host.RulesetVerified, now).ToJson(),
            .. _host.Egresses.Select(e => (e.IsUp ? ControlEvent.EgressUp(e.Name, e.Device, now) : ControlEvent.EgressDown(e.Name, DownReason(e), now)).ToJson())];
    });

    private string DownReason(EgressRuntime egress) => _host.Lockdown && egress.ShouldBeUp ? "lockdown" : egress.Reason;

    /// <summary>Publishes one event to every subscriber (never waits).</summary>
    public void Publish(ControlEvent controlEvent) => _events.Publish(controlEvent.ToJson());

    /// <summary>The reconcile loop took <paramref name="egress"/> up.</summary>
    public void EgressUp(EgressRuntime egress) => Publish(ControlEvent.EgressUp(egress.Name, egress.Device, DateTimeOffset.UtcNow));

    /// <summary>The reconcile loop took <paramref name="egress"/> down.</summary>
    public void EgressDown(EgressRuntime egress) => Publish(ControlEvent.EgressDown(egress.Name, egress.Reason, DateTimeOffset.UtcNow));

    public Task<LockdownState> SetLockdownAsync(bool on, CancellationToken ct) => _host.RequestLockdownAsync(on, ct);

    public async Task<ReloadView> ReloadAsync(CancellationToken ct)
    {
        var result = await _host.ReloadAsync().WaitAsync(ct).ConfigureAwait(false);
        return new ReloadView(result.Applied, result.Summary, [.. result.Errors]);
    }

    public ExplainView? Explain(ExplainQuery query)
    {
        if (_host.Router is not { } router)
        {
            return null;
        }

        var protocol = query.Udp ? Routing.Rules.RouteProtocol.Udp : Routing.Rules.RouteProtocol.Tcp;
        var explanation = router.Explain(query.Source, query.Destination, query.Port, protocol, query.Domain);
        var decision = explanation.Decision;
        return new ExplainView(
            query.ToString(),
            decision.RuleName,
            decision.Rule is { Line: > 0 } rule ? rule.Line : null,
            decision.Action.ToString().ToLowerInvariant(),
            decision.Target,
            explanation.Egress,
            decision.Query.Domain,
            decision.Country,
            explanation.Why,
            explanation.Text());
    }

    public AgentCounters Counters()
    {
        var tcp = _host.TcpRelay;
        var udp = _host.UdpRelays;
        var dialFailures = tcp?.DialFailures ?? 0;
        var relay = new RelayCounters(
            Math.Max(0, (tcp?.Refused ?? 0) - dialFailures),
            dialFailures,
            udp.Sum(u => u.Refused),
            udp.Sum(u => u.UnreachableSent));
        return new AgentCounters(_host.DnsForwarder?.Statistics, ReadDropCounters(), relay, _host.Lockdown);
    }

    /// <summary>
    /// The kill switch's drop counters as the kernel holds them, read on a netlink socket of this call's own (the
    /// reconcile loop owns the other); empty before the first ruleset or when the kernel does not answer.
    /// </summary>
    private IReadOnlyList<DropCounter> ReadDropCounters()
    {
        if (!_host.FirewallInPlace)
        {
            return [];
        }

        try
        {
            using var client = NfTablesClient.Open();
            return [.. new FirewallApplier(client, NullLogger.Instance).DropCounters().Select(c => new DropCounter(c.Key, c.Value.Packets, c.Value.Bytes))];
        }
        catch (NetlinkException)
        {
            return [];
        }
    }
}
