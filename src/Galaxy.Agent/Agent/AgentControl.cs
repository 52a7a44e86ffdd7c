using System.Collections.Concurrent;
using System.Threading.Channels;
using Galaxy.Agent.Cli;
using Galaxy.Agent.Control;
using Galaxy.Agent.Relay;

namespace Galaxy.Agent.Agent;

/// <summary>
/// What the control socket sees of the running agent (<see cref="IAgentControl"/>): reads of the egresses'
/// published state and of the flow registry, never a secret. Bytes per egress are those of the flows that
/// ended plus those still running.
/// </summary>
internal sealed class AgentControl : IAgentControl
{
    private readonly AgentHost _host;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly ConcurrentDictionary<string, (long Up, long Down)> _ended = new(StringComparer.Ordinal);

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
            _host.FirewallInPlace ? "closed" : "open",
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
            return new EgressStatus(
                e.Name,
                e.Config.Kind,
                e.IsUp,
                e.Since,
                e.IsUp ? null : e.Reason,
                ended.Up + running.Sum(f => f.BytesUp),
                ended.Down + running.Sum(f => f.BytesDown),
                running.Count);
        })];
    }

    public IReadOnlyList<FlowInfo> Connections() => _host.Flows.Snapshot();

    public bool CloseConnection(long id) => _host.Flows.Close(id);

    public ChannelReader<string>? Subscribe(CancellationToken ct) => null;
}
