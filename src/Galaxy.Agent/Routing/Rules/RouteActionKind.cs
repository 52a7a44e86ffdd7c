namespace Galaxy.Agent.Routing.Rules;

/// <summary>What a matched rule does with the flow.</summary>
internal enum RouteActionKind
{
    /// <summary>Leave through one named egress (<c>direct</c> only when the operator named it).</summary>
    Egress = 1,

    /// <summary>Let a named group choose among its healthy members.</summary>
    Group = 2,

    /// <summary>Refuse actively (TCP reset / ICMP unreachable).</summary>
    Reject = 3,

    /// <summary>Drop silently.</summary>
    Drop = 4,
}
