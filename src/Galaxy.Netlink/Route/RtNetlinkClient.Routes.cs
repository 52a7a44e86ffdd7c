using Galaxy.Netlink.Core.Interop;

namespace Galaxy.Netlink.Route;

public sealed partial class RtNetlinkClient
{
    /// <summary><c>ip route add …</c> (EXCL|CREATE): an existing identical route is an error (EEXIST).</summary>
    public void AddRoute(RouteSpec route) => ChangeRoute(RouteMessages.Operation.Add, "add", route);

    /// <summary><c>ip route replace …</c> (CREATE|REPLACE): idempotent.</summary>
    public void ReplaceRoute(RouteSpec route) => ChangeRoute(RouteMessages.Operation.Replace, "replace", route);

    /// <summary><c>ip route del …</c>: a missing route is an error (ESRCH).</summary>
    public void DeleteRoute(RouteSpec route) => ChangeRoute(RouteMessages.Operation.Delete, "del", route);

    /// <summary>
    /// The routes of one family (<c>ip route show table N</c>), of one table or (null) of all tables. The
    /// table is read from RTA_TABLE, so tables ≥ 256 are told apart.
    /// </summary>
    public IReadOnlyList<RouteInfo> ListRoutes(uint? table = null, IpFamily family = IpFamily.IPv4)
    {
        var operation = $"ip {IpText.Switch(family)} route show table {(table is null ? "all" : IpText.Number(table.Value))}";
        var routes = Dump<RouteInfo>(operation, (w, s) => RouteMessages.WriteDump(w, s, family), RouteMessages.TryParse);
        return table is null ? routes : routes.FindAll(r => r.Table == table.Value);
    }

    private void ChangeRoute(RouteMessages.Operation operation, string verb, RouteSpec route)
    {
        ArgumentNullException.ThrowIfNull(route);
        Validate(route);

        // Fill in whichever of the interface's name and index is missing: the name for the command text,
        // the index for RTA_OIF.
        var oif = route.OutputInterface;
        if (oif is null && route.OutputInterfaceName is { } name)
        {
            oif = RequireLinkIndex(name, route.ToIpCommand(verb));
        }
        else if (oif is not null && route.OutputInterfaceName is null)
        {
            route = route with { OutputInterfaceName = FindLink(oif.Value)?.Name };
        }

        Change(route.ToIpCommand(verb), (w, s) => RouteMessages.Write(w, s, operation, route, oif));
    }

    private static void Validate(RouteSpec route)
    {
        if (route.Family is not (IpFamily.IPv4 or IpFamily.IPv6))
        {
            throw new ArgumentException($"route {route}: family must be IPv4 or IPv6", nameof(route));
        }

        if (route.Destination is { } destination && IpText.FamilyOf(destination.BaseAddress) != route.Family)
        {
            throw new ArgumentException($"route {route}: destination {destination} is not {route.Family}", nameof(route));
        }

        if (route.Gateway is { } gateway && IpText.FamilyOf(gateway) != route.Family)
        {
            throw new ArgumentException($"route {route}: gateway {gateway} is not {route.Family}", nameof(route));
        }

        if (route.Type is RouteType.Unicast or RouteType.Local && route.Gateway is null && route.OutputInterface is null && route.OutputInterfaceName is null)
        {
            throw new ArgumentException($"route {route}: a {RouteWords.Type(route.Type)} route needs a gateway or an output interface", nameof(route));
        }

        if (route.Type is RouteType.Blackhole or RouteType.Unreachable or RouteType.Prohibit && route.Gateway is not null)
        {
            throw new ArgumentException($"route {route}: a {RouteWords.Type(route.Type)} route has no gateway", nameof(route));
        }

        if (route.Table == 0)
        {
            throw new ArgumentException($"route {route}: table 0 is not a table", nameof(route));
        }
    }
}
