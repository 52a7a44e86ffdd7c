using Galaxy.Netlink;
using Galaxy.Netlink.Route;

namespace Galaxy.Agent.Routing.Policy;

/// <summary>
/// Brings the kernel's policy routing to what <see cref="PolicyPlan"/> wants, idempotently: Galaxy's rules
/// (recognised by their priorities) that are not wanted are removed, missing ones added; each egress table
/// keeps its <c>unreachable default</c> and holds <c>default dev TUNNEL</c> only while that egress is up.
/// The only writer of routes and rules in the agent.
/// </summary>
internal sealed class PolicyRouting
{
    private readonly RtNetlinkClient _rtnl;

    public PolicyRouting(RtNetlinkClient rtnl)
    {
        _rtnl = rtnl;
    }

    /// <summary>Rules and fall-back routes for these slots; call at start and after a reload.</summary>
    public void ApplyStatic(IReadOnlyList<EgressSlot> slots)
    {
        var wanted = PolicyPlan.Rules(slots);
        foreach (var family in PolicyPlan.Families)
        {
            foreach (var existing in _rtnl.ListRules(family))
            {
                if (EgressSlot.IsGalaxyPriority(existing.Priority) && !wanted.Any(w => Same(w, existing)))
                {
                    _rtnl.DeleteRule(existing.ToSpec());
                }
            }
        }

        foreach (var rule in wanted)
        {
            _rtnl.AddRule(rule);
        }

        foreach (var route in PolicyPlan.StaticRoutes(slots))
        {
            _rtnl.ReplaceRoute(route);
        }
    }

    /// <summary>
    /// Points the egress's table at its tunnel device (<paramref name="device"/> non-null) or leaves only the
    /// unreachable fall-back (null). A device that vanished meanwhile leaves the table closed, not an error.
    /// </summary>
    public void SetTunnel(EgressSlot slot, string? device)
    {
        foreach (var family in PolicyPlan.Families)
        {
            _rtnl.ReplaceRoute(PolicyPlan.Unreachable(slot, family));
        }

        foreach (var route in _rtnl.ListRoutes(slot.Table, IpFamily.IPv4))
        {
            if (route.Type == RouteType.Unicast)
            {
                try
                {
                    _rtnl.DeleteRoute(new RouteSpec { Family = IpFamily.IPv4, Destination = route.Destination, OutputInterface = route.OutputInterface, Table = slot.Table, Metric = route.Metric });
                }
                catch (NetlinkException e) when (e.ErrnoName is "ESRCH" or "ENODEV")
                {
                    // Already gone with its device.
                }
            }
        }

        if (device is null)
        {
            return;
        }

        try
        {
            _rtnl.ReplaceRoute(PolicyPlan.TunnelDefault(slot, IpFamily.IPv4, device));
        }
        catch (Exception e) when (e is NetlinkException or InvalidOperationException)
        {
            // The device disappeared between the event and now: the table stays unreachable, which is closed.
        }
    }

    private static bool Same(RuleSpec wanted, RuleInfo existing) =>
        wanted.Family == existing.Family && wanted.Priority == existing.Priority && wanted.Fwmark == existing.Fwmark
        && (existing.FwMask ?? uint.MaxValue) == (wanted.FwMask ?? uint.MaxValue) && wanted.Action == existing.Action
        && (wanted.Action != RuleAction.Lookup || wanted.EffectiveTable == existing.Table)
        && existing.IifName is null && existing.OifName is null && existing.Source is null && existing.Destination is null;
}
