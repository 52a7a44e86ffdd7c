namespace Galaxy.Agent.Control;

/// <summary>
/// One egress as the operator sees it (<c>GET /v1/egresses</c>): its name and kind ("direct", "openvpn",
/// "socks5", …), whether it is up and since when, the reason of its last change (an error text or null), the
/// bytes moved through it (up = towards the internet), how many flows it carries, and the last latency probe's
/// round trip through it (lowest-latency groups probe their members; null when not probed), and the flows
/// it could not dial since the agent started (a refusal by policy is not one): how many, the last one's error
/// ("DESTINATION: REASON") and when (nulls when none failed).
/// </summary>
internal sealed record EgressStatus(
    string Name,
    string Kind,
    bool Up,
    DateTimeOffset Since,
    string? Reason,
    long BytesUp,
    long BytesDown,
    int Connections,
    double? LatencyMs = null,
    long DialFailures = 0,
    string? LastDialError = null,
    DateTimeOffset? LastDialErrorAt = null);
