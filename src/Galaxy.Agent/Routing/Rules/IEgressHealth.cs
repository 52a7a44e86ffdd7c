namespace Galaxy.Agent.Routing.Rules;

/// <summary>What the agent knows about each egress right now; groups read it on every choice.</summary>
internal interface IEgressHealth
{
    bool IsUp(string egress);

    /// <summary>Flows currently relayed through the egress.</summary>
    int Connections(string egress);

    /// <summary>The last probe's round trip through the egress; null when not measured yet.</summary>
    TimeSpan? Latency(string egress);
}
