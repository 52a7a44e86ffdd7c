using System.Collections.Immutable;
using System.Net;

namespace Galaxy.Agent.Agent;

/// <summary>A change of state the reconcile loop reacts to. Everything that happens to the agent is one of these.</summary>
internal abstract record AgentEvent;

/// <summary>A tunnel supervisor's report: connected or not, why, and what the server pushed.</summary>
internal sealed record TunnelReported(int EgressIndex, TunnelReport Report) : AgentEvent;

/// <summary>The netlink monitor saw a link appear, change or vanish.</summary>
internal sealed record LinkReported(string Name, bool PresentAndUp) : AgentEvent;

/// <summary>Events may have been lost (monitor overrun): read the kernel's state again.</summary>
internal sealed record ResyncRequested(string Why) : AgentEvent;

/// <summary>Reload the configuration file (SIGHUP, or the control socket, which waits for <paramref name="Done"/>).</summary>
internal sealed record ReloadRequested(TaskCompletionSource<ReloadResult>? Done) : AgentEvent;

/// <summary>What a tunnel driver reports about its tunnel.</summary>
/// <param name="Connected">Traffic can flow through the tunnel now.</param>
/// <param name="State">The supervisor's word for the state (connecting, connected, reconnecting, exited, auth-failed, …).</param>
/// <param name="Reason">Why, when there is one.</param>
/// <param name="PushedDns">Resolvers the server pushed.</param>
internal sealed record TunnelReport(bool Connected, string State, string? Reason, ImmutableArray<IPAddress> PushedDns);
