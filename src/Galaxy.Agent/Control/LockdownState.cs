namespace Galaxy.Agent.Control;

/// <summary>
/// The answer of <c>POST</c>/<c>DELETE /v1/lockdown</c>: whether the agent is in lockdown now, the kill switch
/// as <c>/v1/status</c> reports it, and whether the ruleset read back after the change matched.
/// </summary>
internal sealed record LockdownState(bool Lockdown, string KillSwitch, bool RulesetVerified);
