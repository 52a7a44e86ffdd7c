namespace Galaxy.Agent.Routing.Rules;

/// <summary>The healthy member relaying the fewest flows; ties go to the earlier member.</summary>
internal sealed class LeastConnectionsGroup(string name, IEnumerable<string> members) : EgressGroup(name, members)
{
    public override string Strategy => "least-connections";

    public override GroupChoice Choose(in FlowQuery flow, IEgressHealth health)
    {
        string? best = null;
        var fewest = int.MaxValue;
        foreach (var member in Members)
        {
            if (!health.IsUp(member))
            {
                continue;
            }

            var connections = health.Connections(member);
            if (connections < fewest)
            {
                best = member;
                fewest = connections;
            }
        }

        return best is null ? GroupChoice.Refuse(Name) : new GroupChoice(best, $"least-connections: '{best}' relays {fewest} flows, the fewest of the healthy members");
    }
}
