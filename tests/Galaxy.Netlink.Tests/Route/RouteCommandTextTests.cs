using System.Net;
using Galaxy.Netlink.Route;

namespace Galaxy.Netlink.Tests.Route;

/// <summary>Every spec renders as the <c>ip</c> command that would make the same change.</summary>
public sealed class RouteCommandTextTests
{
    [Fact]
    public void A_fwmark_rule_reads_as_ip_rule_add()
    {
        var rule = new RuleSpec { Family = IpFamily.IPv4, Priority = 100, Fwmark = 0x1, FwMask = 0xffffffff, Table = 100 };
        AssertText("ip -4 rule add priority 100 fwmark 0x1/0xffffffff lookup 100", rule.ToIpCommand());
    }

    [Fact]
    public void An_unreachable_rule_with_selectors_reads_as_ip_rule_add()
    {
        var rule = new RuleSpec
        {
            Family = IpFamily.IPv6,
            Priority = 200,
            Source = IPNetwork.Parse("2001:db8::/32"),
            IifName = "lan0",
            Action = RuleAction.Unreachable,
        };
        AssertText("ip -6 rule del priority 200 from 2001:db8::/32 iif lan0 unreachable", rule.ToIpCommand("del"));
    }

    [Fact]
    public void A_local_default_route_reads_as_ip_route_add()
    {
        var route = new RouteSpec { Family = IpFamily.IPv4, Type = RouteType.Local, OutputInterfaceName = "lo", Table = 100 };
        AssertText("ip route add local default dev lo table 100", route.ToIpCommand());
    }

    [Fact]
    public void A_gateway_route_with_metric_and_protocol_reads_as_ip_route_replace()
    {
        var route = new RouteSpec
        {
            Family = IpFamily.IPv6,
            Destination = IPNetwork.Parse("2001:db8:1::/48"),
            Gateway = IPAddress.Parse("2001:db8::2"),
            OutputInterfaceName = "wan0",
            Table = 300,
            Metric = 5,
            Protocol = 99,
        };
        AssertText("ip -6 route replace 2001:db8:1::/48 via 2001:db8::2 dev wan0 table 300 proto 99 metric 5", route.ToIpCommand("replace"));
    }

    [Fact]
    public void Scopes_follow_the_route_kind()
    {
        var local = new RouteSpec { Family = IpFamily.IPv4, Type = RouteType.Local, OutputInterface = 1 };
        var device = new RouteSpec { Family = IpFamily.IPv4, OutputInterfaceName = "va" };
        var gateway = new RouteSpec { Family = IpFamily.IPv4, Gateway = IPAddress.Parse("198.51.100.1"), OutputInterfaceName = "va" };
        var blackhole = new RouteSpec { Family = IpFamily.IPv4, Type = RouteType.Blackhole };
        RouteScope[] expected = [RouteScope.Host, RouteScope.Link, RouteScope.Universe, RouteScope.Universe];
        RouteScope[] seen = [local.EffectiveScope, device.EffectiveScope, gateway.EffectiveScope, blackhole.EffectiveScope];
        Assert.True(expected.SequenceEqual(seen), $"expected scopes {string.Join(", ", expected)}; saw {string.Join(", ", seen)}");
    }

    [Theory]
    [InlineData("198.51.100.77", 24, "198.51.100.0/24")]
    [InlineData("203.0.113.255", 25, "203.0.113.128/25")]
    [InlineData("2001:db8::1", 32, "2001:db8::/32")]
    [InlineData("2001:db8:ffff::1", 47, "2001:db8:fffe::/47")]
    public void Parsed_prefixes_have_their_host_bits_cleared(string address, int length, string expected)
    {
        var prefix = IpText.Prefix(IPAddress.Parse(address), length).ToString();
        AssertText(expected, prefix);
    }

    private static void AssertText(string expected, string actual) =>
        Assert.True(expected == actual, $"expected \"{expected}\"; saw \"{actual}\"");
}
