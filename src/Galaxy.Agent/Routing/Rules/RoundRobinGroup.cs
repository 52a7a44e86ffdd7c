namespace Galaxy.Agent.Routing.Rules;

/// <summary>Each new flow takes the next healthy member in turn.</summary>
internal sealed class RoundRobinGroup(string name, IEnumerable<string> members) : EgressGroup(name, members)
{
    private int _next = -1;

    public override string Strategy => "round-robin";

    public override GroupChoice Choose(in FlowQuery flow, IEgressHealth health)
    {
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)Members.Length);
        for (var k = 0; k < Members.Length; k++)
        {
            var member = Members[(start + k) % Members.Length];
            if (health.IsUp(member))
            {
                return new GroupChoice(member, $"round-robin: '{member}' is the next healthy member");
            }
        }

        return GroupChoice.Refuse(Name);
    }
}
