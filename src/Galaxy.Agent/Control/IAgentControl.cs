using System.Threading.Channels;

namespace Galaxy.Agent.Control;

/// <summary>
/// What the control socket may ask of the running agent: the seam between <see cref="ControlServer"/> and the
/// agent. Every call is cheap and thread-safe (the server calls it from many connections at once) and never
/// returns a secret (no proxy passwords, no keys, no profile contents).
/// </summary>
internal interface IAgentControl
{
    /// <summary>Version, start time, kill-switch state ("closed"/"lockdown"/"open"), whether the ruleset read back matches, egress summary.</summary>
    AgentStatus Status();

    /// <summary>Every configured egress: name, kind, up, since when, last reason, bytes, connections.</summary>
    IReadOnlyList<EgressStatus> Egresses();

    /// <summary>The flows the relay carries right now.</summary>
    IReadOnlyList<Galaxy.Agent.Relay.FlowInfo> Connections();

    /// <summary>Closes the flow <paramref name="id"/>; false when there is no such flow.</summary>
    bool CloseConnection(long id);

    /// <summary>
    /// An event stream of JSON lines (one event per string, no newline) until <paramref name="ct"/> is cancelled;
    /// null when the agent offers no event stream (the server then answers 501).
    /// </summary>
    ChannelReader<string>? Subscribe(CancellationToken ct);

    /// <summary>
    /// Puts the running router into lockdown (<paramref name="on"/>) or releases it, and returns once the reconcile
    /// loop has applied it: in lockdown every egress is taken down for the LAN (closed ruleset, unreachable routes,
    /// the relay and the resolver refuse), while the tunnels themselves may stay connected.
    /// </summary>
    Task<LockdownState> SetLockdownAsync(bool on, CancellationToken ct);

    /// <summary>Reloads the configuration file through the reconcile loop; returns once it was applied or refused.</summary>
    Task<ReloadView> ReloadAsync(CancellationToken ct);

    /// <summary>How a flow would be routed now; null before the agent routes anything.</summary>
    ExplainView? Explain(ExplainQuery query);

    /// <summary>DNS, kill-switch drop and relay counters for the metrics.</summary>
    AgentCounters Counters();
}
