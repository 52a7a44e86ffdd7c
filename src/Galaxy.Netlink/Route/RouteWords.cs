using System.Globalization;

namespace Galaxy.Netlink.Route;

/// <summary>The words <c>ip</c> uses for route types, scopes and rule actions.</summary>
internal static class RouteWords
{
    public static string Type(RouteType type) => type switch
    {
        RouteType.Unicast => "unicast",
        RouteType.Local => "local",
        RouteType.Broadcast => "broadcast",
        RouteType.Anycast => "anycast",
        RouteType.Multicast => "multicast",
        RouteType.Blackhole => "blackhole",
        RouteType.Unreachable => "unreachable",
        RouteType.Prohibit => "prohibit",
        RouteType.Throw => "throw",
        _ => ((byte)type).ToString(CultureInfo.InvariantCulture),
    };

    public static string Scope(RouteScope scope) => scope switch
    {
        RouteScope.Universe => "global",
        RouteScope.Site => "site",
        RouteScope.Link => "link",
        RouteScope.Host => "host",
        RouteScope.Nowhere => "nowhere",
        _ => ((byte)scope).ToString(CultureInfo.InvariantCulture),
    };

    public static string Action(RuleAction action) => action switch
    {
        RuleAction.Blackhole => "blackhole",
        RuleAction.Unreachable => "unreachable",
        RuleAction.Prohibit => "prohibit",
        RuleAction.Nop => "nop",
        RuleAction.Goto => "goto",
        _ => "lookup",
    };
}
