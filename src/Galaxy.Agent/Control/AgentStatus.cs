namespace Galaxy.Agent.Control;

/// <summary>
/// The agent at a glance (<c>GET /v1/status</c>). <paramref name="KillSwitch"/> is "closed" (only the egresses
/// may carry traffic, or nothing) or "open"; <paramref name="RulesetVerified"/> says whether the ruleset read
/// back from the kernel matched what was applied.
/// </summary>
internal sealed record AgentStatus(
    string Version,
    DateTimeOffset StartedAt,
    string KillSwitch,
    bool RulesetVerified,
    EgressSummary Egresses);

/// <summary>How many egresses are configured and how many are up.</summary>
internal sealed record EgressSummary(int Total, int Up);
