namespace Galaxy.Agent.Routing.Rules;

/// <summary>The member a group chose, or none (the flow is refused, never sent elsewhere), and why.</summary>
internal readonly record struct GroupChoice(string? Egress, string Why)
{
    public bool IsRefused => Egress is null;

    public static GroupChoice Refuse(string group) => new(null, $"group '{group}' has no healthy member: the flow is refused");
}
