namespace Galaxy.Agent.Routing.Rules;

/// <summary>A rule's action: an egress or a group by name, or a refusal.</summary>
internal sealed record RouteAction
{
    private RouteAction(RouteActionKind kind, string? target)
    {
        Kind = kind;
        Target = target;
    }

    public RouteActionKind Kind { get; }

    /// <summary>The egress or group name; null for reject and drop.</summary>
    public string? Target { get; }

    public static RouteAction Reject { get; } = new(RouteActionKind.Reject, null);

    public static RouteAction Drop { get; } = new(RouteActionKind.Drop, null);

    public static RouteAction Egress(string name) => new(RouteActionKind.Egress, RequireName(name, "egress"));

    public static RouteAction Group(string name) => new(RouteActionKind.Group, RequireName(name, "group"));

    public override string ToString() => Kind switch
    {
        RouteActionKind.Egress => $"egress {Target}",
        RouteActionKind.Group => $"group {Target}",
        RouteActionKind.Reject => "reject",
        _ => "drop",
    };

    private static string RequireName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"a route action needs a {what} name, got '{name}'", nameof(name));
        }

        return name;
    }
}
