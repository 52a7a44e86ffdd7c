namespace Galaxy.Agent.Agent;

/// <summary>
/// The operator asked (through the control socket) for lockdown on or off. <paramref name="Done"/> completes once
/// the loop has applied it (the ruleset committed and read back).
/// </summary>
internal sealed record LockdownRequested(bool On, TaskCompletionSource Done) : AgentEvent;
