using System.Collections.Immutable;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// A named set of egresses and a strategy choosing among the healthy ones for each new flow. A group
/// never picks an unhealthy member: with none healthy, <see cref="Choose"/> refuses.
/// Implementations are thread-safe.
/// </summary>
internal abstract class EgressGroup
{
    protected EgressGroup(string name, IEnumerable<string> members)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("a group needs a name", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(members);
        Name = name;
        Members = [.. members];
        if (Members.IsEmpty)
        {
            throw new ArgumentException($"group '{name}' has no member", nameof(members));
        }

        var duplicate = Members.GroupBy(m => m, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"group '{name}' names egress '{duplicate.Key}' twice", nameof(members));
        }
    }

    public string Name { get; }

    /// <summary>The members in the configuration's order (failover's priority order).</summary>
    public ImmutableArray<string> Members { get; }

    /// <summary>The strategy's configuration word (<c>failover</c>, <c>round-robin</c>, …).</summary>
    public abstract string Strategy { get; }

    public abstract GroupChoice Choose(in FlowQuery flow, IEgressHealth health);
}
