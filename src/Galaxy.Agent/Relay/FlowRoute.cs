using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Relay;

/// <summary>
/// A route's answer for a new flow: the egress to dial, or none (the flow is refused), and the name of the
/// rule that decided, for the flow registry and the operator's view of connections.
/// </summary>
/// <param name="Dialer">The egress; null refuses the flow.</param>
/// <param name="Rule">The deciding rule's name; null when no rule set is in use.</param>
internal readonly record struct FlowRoute(IEgressDialer? Dialer, string? Rule = null);
