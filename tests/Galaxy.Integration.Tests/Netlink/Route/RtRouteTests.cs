using System.Net;
using System.Text.Json;
using Galaxy.Integration.Tests.Labs;
using TestLab = Galaxy.Integration.Tests.Labs.Lab;
using Galaxy.Netlink;
using Galaxy.Netlink.Core.Interop;
using Galaxy.Netlink.Route;

namespace Galaxy.Integration.Tests.Netlink.Route;

/// <summary>Routes made by <see cref="RtNetlinkClient"/> in tables below and above 256, checked with <c>ip -j route</c>.</summary>
public sealed class RtRouteTests
{
    [Theory]
    [InlineData(100u)]
    [InlineData(300u)]
    public async Task IPv4_routes_of_every_kind_are_added_replaced_listed_and_deleted(uint table)
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = Connected(host);

        var routes = new[]
        {
            V4("203.0.113.0/25") with { Gateway = IPAddress.Parse("198.51.100.2"), OutputInterfaceName = "va", Table = table },
            V4("203.0.113.128/25") with { OutputInterfaceName = "va", Table = table },
            V4(null) with { Type = RouteType.Local, OutputInterfaceName = "lo", Table = table },
            V4(null) with { Type = RouteType.Unreachable, Metric = 4000, Table = table },
            V4("192.0.2.0/25") with { Type = RouteType.Blackhole, Table = table },
            V4("192.0.2.128/25") with { Type = RouteType.Prohibit, Table = table },
        };
        string[] expected =
        [
            "unicast 203.0.113.0/25 via 198.51.100.2 dev va scope -",
            "unicast 203.0.113.128/25 dev va scope link",
            "local default dev lo scope host",
            "unreachable default metric 4000",
            "blackhole 192.0.2.0/25",
            "prohibit 192.0.2.128/25",
        ];

        foreach (var route in routes)
        {
            rt.AddRoute(route);
        }

        await AssertTableAsync(host, rt, table, IpFamily.IPv4, expected);

        // Replace is idempotent and changes the gateway in place.
        var moved = routes[0] with { Gateway = IPAddress.Parse("198.51.100.3") };
        rt.ReplaceRoute(moved);
        rt.ReplaceRoute(moved);
        expected[0] = "unicast 203.0.113.0/25 via 198.51.100.3 dev va scope -";
        await AssertTableAsync(host, rt, table, IpFamily.IPv4, expected);

        rt.DeleteRoute(moved);
        foreach (var route in routes.Skip(1))
        {
            rt.DeleteRoute(route);
        }

        await AssertTableAsync(host, rt, table, IpFamily.IPv4, []);
    }

    [Theory]
    [InlineData(100u)]
    [InlineData(300u)]
    public async Task IPv6_routes_of_every_kind_are_added_replaced_listed_and_deleted(uint table)
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = Connected(host);

        var routes = new[]
        {
            V6("2001:db8:1::/48") with { Gateway = IPAddress.Parse("2001:db8::2"), OutputInterfaceName = "va", Table = table },
            V6("2001:db8:2::/48") with { OutputInterfaceName = "va", Table = table },
            V6(null) with { Type = RouteType.Local, OutputInterfaceName = "lo", Table = table },
            V6(null) with { Type = RouteType.Unreachable, Metric = 4000, Table = table },
            V6("2001:db8:3::/48") with { Type = RouteType.Blackhole, Table = table },
            V6("2001:db8:4::/48") with { Type = RouteType.Prohibit, Table = table },
        };
        string[] expected =
        [
            "unicast 2001:db8:1::/48 via 2001:db8::2 dev va metric 1024",
            "unicast 2001:db8:2::/48 dev va metric 1024",
            "local default dev lo metric 1024",
            "unreachable default dev lo metric 4000",
            "blackhole 2001:db8:3::/48 dev lo metric 1024",
            "prohibit 2001:db8:4::/48 dev lo metric 1024",
        ];

        foreach (var route in routes)
        {
            rt.AddRoute(route);
        }

        await AssertTableAsync(host, rt, table, IpFamily.IPv6, expected);

        var moved = routes[0] with { Gateway = IPAddress.Parse("2001:db8::3") };
        rt.ReplaceRoute(moved);
        rt.ReplaceRoute(moved);
        expected[0] = "unicast 2001:db8:1::/48 via 2001:db8::3 dev va metric 1024";
        await AssertTableAsync(host, rt, table, IpFamily.IPv6, expected);

        rt.DeleteRoute(moved);
        foreach (var route in routes.Skip(1))
        {
            rt.DeleteRoute(route);
        }

        await AssertTableAsync(host, rt, table, IpFamily.IPv6, []);
    }

    [Fact]
    public async Task Adding_a_duplicate_route_fails_with_EEXIST_naming_the_command()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = Connected(host);
        var route = V4("203.0.113.0/24") with { Gateway = IPAddress.Parse("198.51.100.2"), Table = 100 };
        rt.AddRoute(route);

        var error = Assert.Throws<NetlinkException>(() => rt.AddRoute(route));
        Assert.True(error.Errno == Errno.EEXIST && error.Message.Contains("ip route add 203.0.113.0/24 via 198.51.100.2 table 100", StringComparison.Ordinal),
            $"expected EEXIST naming \"ip route add 203.0.113.0/24 via 198.51.100.2 table 100\"; got {error.ErrnoName}: {error.Message}");
    }

    [Fact]
    public async Task Deleting_a_missing_route_fails_naming_the_command()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = Connected(host);

        var v4 = Assert.Throws<NetlinkException>(() => rt.DeleteRoute(V4("203.0.113.0/24") with { Type = RouteType.Blackhole, Table = 100 }));
        Assert.True(v4.Errno is Errno.ESRCH or Errno.ENOENT && v4.Message.Contains("ip route del blackhole 203.0.113.0/24 table 100", StringComparison.Ordinal),
            $"expected ESRCH/ENOENT naming \"ip route del blackhole 203.0.113.0/24 table 100\"; got {v4.ErrnoName}: {v4.Message}");

        var v6 = Assert.Throws<NetlinkException>(() => rt.DeleteRoute(V6("2001:db8:9::/48") with { Type = RouteType.Blackhole, Table = 100 }));
        Assert.True(v6.Errno is Errno.ESRCH or Errno.ENOENT && v6.Message.Contains("ip -6 route del blackhole 2001:db8:9::/48 table 100", StringComparison.Ordinal),
            $"expected ESRCH/ENOENT naming \"ip -6 route del blackhole 2001:db8:9::/48 table 100\"; got {v6.ErrnoName}: {v6.Message}");
    }

    [Fact]
    public async Task A_route_through_an_unknown_device_fails_with_ENODEV()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = Connected(host);

        var byName = Assert.Throws<NetlinkException>(() => rt.AddRoute(V4("203.0.113.0/24") with { OutputInterfaceName = "nosuch0", Table = 100 }));
        Assert.True(byName.Errno == Errno.ENODEV && byName.Message.Contains("ip route add 203.0.113.0/24 dev nosuch0 table 100", StringComparison.Ordinal),
            $"expected ENODEV naming the command; got {byName.ErrnoName}: {byName.Message}");

        var byIndex = Assert.Throws<NetlinkException>(() => rt.AddRoute(V4("203.0.113.0/24") with { OutputInterface = 9999, Table = 100 }));
        Assert.True(byIndex.Errno == Errno.ENODEV && byIndex.Message.Contains("ip route add 203.0.113.0/24", StringComparison.Ordinal),
            $"expected ENODEV naming the command; got {byIndex.ErrnoName}: {byIndex.Message}");
    }

    [Fact]
    public async Task Listed_main_table_routes_agree_with_ip()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = Connected(host);
        rt.AddRoute(V4(null) with { Gateway = IPAddress.Parse("198.51.100.2") });

        await AssertTableAsync(host, rt, 254, IpFamily.IPv4, ["unicast default via 198.51.100.2 dev va scope -", "unicast 198.51.100.0/24 dev va scope link"]);
    }

    /// <summary>A namespace with veth va (198.51.100.1/24, 2001:db8::1/64) whose peer vb is up, and a client on it.</summary>
    private static RtNetlinkClient Connected(LabHost host)
    {
        var rt = RtNetlinkClient.OpenIn(host.NamespacePath);
        rt.CreateVeth("va", "vb");
        rt.SetLinkUp("va", true);
        rt.SetLinkUp("vb", true);
        rt.AddAddress("va", IPAddress.Parse("198.51.100.1"), 24);
        rt.AddAddress("va", IPAddress.Parse("2001:db8::1"), 64);
        return rt;
    }

    private static RouteSpec V4(string? destination) =>
        new() { Family = IpFamily.IPv4, Destination = destination is null ? null : IPNetwork.Parse(destination) };

    private static RouteSpec V6(string? destination) =>
        new() { Family = IpFamily.IPv6, Destination = destination is null ? null : IPNetwork.Parse(destination) };

    /// <summary>ip's view of the table and ListRoutes' view both equal <paramref name="expected"/> (order aside).</summary>
    private static async Task AssertTableAsync(LabHost host, RtNetlinkClient rt, uint table, IpFamily family, string[] expected)
    {
        var v6 = family == IpFamily.IPv6;
        var json = await IpJson.QueryAsync(host, v6 ? "-6" : "-4", "route", "show", "table", table.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var ip = json.Where(r => !v6 || !(r.Text("dst") ?? "").StartsWith("fe80", StringComparison.Ordinal)).Select(r => FromIp(r, v6)).Order().ToArray();
        var names = rt.ListLinks().ToDictionary(l => l.Index, l => l.Name);
        var ours = rt.ListRoutes(table, family).Where(r => !v6 || r.Destination?.BaseAddress.IsIPv6LinkLocal != true)
            .Select(r => FromOurs(r, names, v6)).Order().ToArray();
        var want = expected.Order().ToArray();
        Assert.True(want.SequenceEqual(ip), $"expected table {table} ({family}) to hold\n  {string.Join("\n  ", want)}\nip -j route show says\n  {string.Join("\n  ", ip)}\n  raw: {IpJson.Describe(json)}");
        Assert.True(want.SequenceEqual(ours), $"expected ListRoutes({table}, {family}) to hold\n  {string.Join("\n  ", want)}\nbut it listed\n  {string.Join("\n  ", ours)}");
    }

    // One line per route with the fields the tests pin: type, dst, via, dev, metric, and (IPv4) scope.
    private static string FromIp(JsonElement r, bool v6) =>
        Line(r.Text("type") ?? "unicast", r.Text("dst")!, r.Text("gateway"), r.Text("dev"), r.Text("metric"), v6 ? null : r.Text("scope") ?? "-");

    private static string FromOurs(RouteInfo r, Dictionary<int, string> names, bool v6)
    {
        var dst = r.Destination is null ? "default"
            : r.Destination.Value.PrefixLength == (v6 ? 128 : 32) ? r.Destination.Value.BaseAddress.ToString() : r.Destination.Value.ToString();
        var dev = r.OutputInterface is { } oif ? names.GetValueOrDefault(oif, $"if{oif}") : null;
        var scope = v6 ? null : r.Scope switch { RouteScope.Universe => "-", RouteScope.Link => "link", RouteScope.Host => "host", var s => s.ToString() };
        var type = r.Type switch { RouteType.Unicast => "unicast", RouteType.Local => "local", RouteType.Blackhole => "blackhole", RouteType.Unreachable => "unreachable", RouteType.Prohibit => "prohibit", var t => t.ToString() };
        return Line(type, dst, r.Gateway?.ToString(), dev, r.Metric?.ToString(System.Globalization.CultureInfo.InvariantCulture), scope);
    }

    private static string Line(string type, string dst, string? via, string? dev, string? metric, string? scope)
    {
        var line = $"{type} {dst}";
        line += via is null ? "" : $" via {via}";
        line += dev is null ? "" : $" dev {dev}";
        line += metric is null || metric == "0" ? "" : $" metric {metric}";
        if (scope is not null && type is "unicast" or "local")
        {
            line += $" scope {scope}";
        }

        return line;
    }
}
