using System.Collections.Immutable;
using System.Net;
using Galaxy.Netlink.Route;

namespace Galaxy.Agent.Routing.Policy;

/// <summary>
/// The policy routing Galaxy wants, as a pure function of the egress slots and which tunnel devices are
/// up: per family, the intercept rule and table, and per egress a lookup rule, an unreachable rule right
/// after it, and a table holding <c>default dev TUNNEL</c> (only while the device exists and the egress
/// is up) in front of an <c>unreachable default</c> that is always there. So a packet carrying an
/// egress's mark has nowhere to go but its tunnel: never the main table, never the WAN.
/// </summary>
internal static class PolicyPlan
{
    /// <summary>Metric of the fall-back route, behind any default route Galaxy adds (metric 0).</summary>
    public const uint UnreachableMetric = 4_000_000_000;

    public static ImmutableArray<RuleSpec> Rules(IEnumerable<EgressSlot> slots)
    {
        var rules = ImmutableArray.CreateBuilder<RuleSpec>();
        foreach (var family in Families)
        {
            rules.Add(new RuleSpec { Family = family, Priority = EgressSlot.InterceptPriority, Fwmark = EgressSlot.InterceptMark, FwMask = uint.MaxValue, Table = EgressSlot.InterceptTable });
            foreach (var slot in slots)
            {
                rules.Add(new RuleSpec { Family = family, Priority = slot.LookupPriority, Fwmark = slot.RouteMark, FwMask = uint.MaxValue, Table = slot.Table });
                rules.Add(new RuleSpec { Family = family, Priority = slot.UnreachablePriority, Fwmark = slot.RouteMark, FwMask = uint.MaxValue, Action = RuleAction.Unreachable });
            }
        }

        return rules.ToImmutable();
    }

    /// <summary>The routes that must always exist: the intercept table and every egress's fall-back.</summary>
    public static ImmutableArray<RouteSpec> StaticRoutes(IEnumerable<EgressSlot> slots)
    {
        var routes = ImmutableArray.CreateBuilder<RouteSpec>();
        foreach (var family in Families)
        {
            routes.Add(new RouteSpec { Family = family, Destination = Default(family), Type = RouteType.Local, OutputInterfaceName = "lo", Table = EgressSlot.InterceptTable });
            foreach (var slot in slots)
            {
                routes.Add(Unreachable(slot, family));
            }
        }

        return routes.ToImmutable();
    }

    /// <summary><c>default dev DEVICE table T</c> for an egress whose tunnel is up.</summary>
    public static RouteSpec TunnelDefault(EgressSlot slot, IpFamily family, string device) =>
        new() { Family = family, Destination = Default(family), OutputInterfaceName = device, Table = slot.Table };

    public static RouteSpec Unreachable(EgressSlot slot, IpFamily family) =>
        new() { Family = family, Destination = Default(family), Type = RouteType.Unreachable, Table = slot.Table, Metric = UnreachableMetric };

    public static ImmutableArray<IpFamily> Families { get; } = [IpFamily.IPv4, IpFamily.IPv6];

    private static IPNetwork Default(IpFamily family) =>
        family == IpFamily.IPv4 ? new IPNetwork(IPAddress.Any, 0) : new IPNetwork(IPAddress.IPv6Any, 0);
}
