using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Tests.Routing.Rules;

public sealed class RouteTableTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");

    private static FlowQuery Flow(string destination, int port = 443, RouteProtocol protocol = RouteProtocol.Tcp, string? domain = null, string source = "192.0.2.10", string? lan = "lan0") =>
        new(IPAddress.Parse(source), lan, IPAddress.Parse(destination), port, protocol, domain);

    private static RouteRule Rule(string name, RouteAction? action = null) => new() { Name = name, Action = action ?? RouteAction.Egress(name) };

    private static ImmutableArray<IPNetwork> Nets(params string[] cidrs) => [.. cidrs.Select(c => IPNetwork.Parse(c))];

    private static void AssertRule(RouteTable table, FlowQuery flow, string expected)
    {
        var decision = table.Decide(flow);
        Assert.True(decision.RuleName == expected, $"expected rule '{expected}' for {flow}, saw '{decision.RuleName}' ({decision.Why})");
    }

    [Fact]
    public void Unmatched_flows_go_to_the_default_group()
    {
        var table = RouteTable.Compile([Rule("nyc") with { Destinations = Nets("203.0.113.0/24") }], "all");
        var decision = table.Decide(Flow("198.51.100.7"));
        Assert.True(decision.IsDefault && decision.Action == RouteActionKind.Group && decision.Target == "all" && decision.RuleIndex == -1,
            $"expected the default group 'all', saw {decision}");
    }

    [Fact]
    public void The_first_matching_rule_wins_over_a_later_more_specific_one()
    {
        var table = RouteTable.Compile(
            [
                Rule("wide") with { Destinations = Nets("203.0.113.0/24") },
                Rule("narrow") with { Destinations = Nets("203.0.113.128/25") },
            ],
            "all");
        AssertRule(table, Flow("203.0.113.200"), "wide");
    }

    [Fact]
    public void A_rule_without_destination_before_a_cidr_rule_wins()
    {
        var table = RouteTable.Compile(
            [
                Rule("dns") with { Ports = [new PortRange(53, 53)] },
                Rule("cidr") with { Destinations = Nets("203.0.113.0/24") },
            ],
            "all");
        AssertRule(table, Flow("203.0.113.1", port: 53), "dns");
        AssertRule(table, Flow("203.0.113.1", port: 443), "cidr");
    }

    [Fact]
    public void A_cidr_rule_whose_other_criteria_fail_falls_through_to_the_next()
    {
        var table = RouteTable.Compile(
            [
                Rule("web") with { Destinations = Nets("203.0.113.0/24"), Ports = [new PortRange(80, 80)] },
                Rule("rest") with { Destinations = Nets("203.0.0.0/16") },
            ],
            "all");
        AssertRule(table, Flow("203.0.113.1", port: 80), "web");
        AssertRule(table, Flow("203.0.113.1", port: 22), "rest");
    }

    [Fact]
    public void Destination_matches_ipv4_and_ipv6_separately()
    {
        var table = RouteTable.Compile(
            [
                Rule("v6") with { Destinations = Nets("2001:db8:1::/48") },
                Rule("v4") with { Destinations = Nets("198.51.100.0/24") },
                Rule("v6all") with { Destinations = Nets("::/0") },
            ],
            "all");
        AssertRule(table, Flow("2001:db8:1::5"), "v6");
        AssertRule(table, Flow("2001:db8:2::5"), "v6all");
        AssertRule(table, Flow("198.51.100.9"), "v4");
        AssertRule(table, Flow("::ffff:198.51.100.9"), "v4");
        AssertRule(table, Flow("192.0.2.1"), "default");
    }

    [Fact]
    public void Source_cidr_and_lan_interface_restrict_a_rule()
    {
        var table = RouteTable.Compile(
            [
                Rule("vm") with { Sources = Nets("192.0.2.64/26") },
                Rule("lan1") with { LanInterfaces = ["lan1"] },
                Rule("v6client") with { Sources = Nets("2001:db8:ff::/64") },
            ],
            "all");
        AssertRule(table, Flow("198.51.100.1", source: "192.0.2.70"), "vm");
        AssertRule(table, Flow("198.51.100.1", source: "192.0.2.10", lan: "lan1"), "lan1");
        AssertRule(table, Flow("198.51.100.1", source: "192.0.2.10", lan: null), "default");
        AssertRule(table, Flow("2001:db8::1", source: "2001:db8:ff::9"), "v6client");
    }

    [Fact]
    public void Ports_match_single_ports_ranges_and_lists()
    {
        var table = RouteTable.Compile([Rule("ports") with { Ports = [.. PortRange.ParseList("22, 8000-8100,443")] }], "all");
        foreach (var port in new[] { 22, 443, 8000, 8050, 8100 })
        {
            AssertRule(table, Flow("198.51.100.1", port: port), "ports");
        }

        foreach (var port in new[] { 21, 23, 7999, 8101, 444 })
        {
            AssertRule(table, Flow("198.51.100.1", port: port), "default");
        }
    }

    [Fact]
    public void Protocol_restricts_a_rule_to_tcp_or_udp()
    {
        var table = RouteTable.Compile([Rule("quic") with { Protocol = RouteProtocol.Udp, Ports = [new PortRange(443, 443)] }], "all");
        AssertRule(table, Flow("198.51.100.1", protocol: RouteProtocol.Udp), "quic");
        AssertRule(table, Flow("198.51.100.1", protocol: RouteProtocol.Tcp), "default");
    }

    [Fact]
    public void Domains_match_exact_suffix_and_keyword()
    {
        var table = RouteTable.Compile(
            [
                Rule("exact") with { Domains = [DomainPattern.Parse("www.example.com")] },
                Rule("suffix") with { Domains = [DomainPattern.Parse(".example.net")] },
                Rule("keyword") with { Domains = [DomainPattern.Parse("keyword:video")] },
            ],
            "all");
        AssertRule(table, Flow("198.51.100.1", domain: "WWW.Example.com."), "exact");
        AssertRule(table, Flow("198.51.100.1", domain: "a.www.example.com"), "default");
        AssertRule(table, Flow("198.51.100.1", domain: "example.net"), "suffix");
        AssertRule(table, Flow("198.51.100.1", domain: "cdn.a.example.net"), "suffix");
        AssertRule(table, Flow("198.51.100.1", domain: "badexample.net"), "default");
        AssertRule(table, Flow("198.51.100.1", domain: "myvideoserver.example.org"), "keyword");
        AssertRule(table, Flow("198.51.100.1", domain: null), "default");
    }

    [Fact]
    public void Country_rules_use_the_lookup_and_never_match_an_unknown_country()
    {
        var geo = new TableCountryLookup(("203.0.113.0/24", "US"), ("198.51.100.0/24", "GB"));
        var table = RouteTable.Compile(
            [
                Rule("us", RouteAction.Group("americas")) with { Countries = ["us"] },
                Rule("gb", RouteAction.Reject) with { Countries = ["GB"] },
            ],
            "all",
            geo);
        var us = table.Decide(Flow("203.0.113.5"));
        Assert.True(us.RuleName == "us" && us.Action == RouteActionKind.Group && us.Target == "americas" && us.Country == "US",
            $"expected group americas with country US, saw {us} country {us.Country}");
        var gb = table.Decide(Flow("198.51.100.5"));
        Assert.True(gb.Action == RouteActionKind.Reject, $"expected reject for GB, saw {gb}");
        AssertRule(table, Flow("192.0.2.99"), "default");
    }

    [Fact]
    public void A_country_rule_without_a_geoip_database_is_refused_at_compile()
    {
        var error = Assert.Throws<ArgumentException>(() => RouteTable.Compile([Rule("us") with { Countries = ["US"] }], "all"));
        Assert.Contains("GeoIP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Drop_and_egress_actions_carry_their_target()
    {
        var table = RouteTable.Compile(
            [
                Rule("blackhole", RouteAction.Drop) with { Destinations = Nets("198.51.100.0/24") },
                Rule("out", RouteAction.Egress("direct")) with { Destinations = Nets("203.0.113.0/24") },
            ],
            "all");
        var drop = table.Decide(Flow("198.51.100.1"));
        var direct = table.Decide(Flow("203.0.113.1"));
        Assert.True(drop.Action == RouteActionKind.Drop && drop.Target is null, $"expected drop, saw {drop}");
        Assert.True(direct.Action == RouteActionKind.Egress && direct.Target == "direct", $"expected egress direct, saw {direct}");
    }

    [Fact]
    public void Explain_names_the_rule_its_line_the_action_and_the_flow()
    {
        var table = RouteTable.Compile(
            [Rule("streaming", RouteAction.Group("fast")) with { Line = 12, Destinations = Nets("203.0.113.0/24"), Ports = [new PortRange(443, 443)] }],
            "all");
        var text = table.Decide(Flow("203.0.113.9", domain: "video.example.com")).Explain();
        foreach (var part in new[] { "tcp 192.0.2.10 -> 203.0.113.9:443 on lan0", "video.example.com", "#1 streaming (line 12)", "group fast", "dst 203.0.113.0/24, port 443" })
        {
            Assert.True(text.Contains(part, StringComparison.Ordinal), $"expected '{part}' in:\n{text}");
        }

        var fallback = table.Decide(Flow("198.51.100.1")).Explain();
        Assert.True(fallback.Contains("default group 'all'", StringComparison.Ordinal), $"expected the default group in:\n{fallback}");
    }

    [Fact]
    public void Ten_thousand_cidr_rules_agree_with_a_linear_scan_on_random_flows()
    {
        var random = new Random(20261126);
        var rules = new List<RouteRule>();
        for (var i = 0; i < 10_000; i++)
        {
            var rule = Rule($"r{i}");
            if (i % 2 == 0)
            {
                var length = random.Next(8, 33);
                var bytes = new byte[4];
                random.NextBytes(bytes);
                bytes[0] = (byte)random.Next(0, 4); // crowd a small space so prefixes nest and overlap
                rule = rule with { Destinations = [new IPNetwork(Mask(bytes, length), length)] };
            }
            else if (i % 2 == 1 && i % 7 != 0)
            {
                var length = random.Next(16, 129);
                var bytes = new byte[16];
                random.NextBytes(bytes);
                bytes[0] = 0x20;
                bytes[1] = 0x01;
                bytes[2] = 0x0d;
                bytes[3] = (byte)(0xb8 + random.Next(0, 2));
                length = Math.Max(length, 24);
                rule = rule with { Destinations = [new IPNetwork(Mask(bytes, length), length), new IPNetwork(Mask(bytes, Math.Max(24, length - 8)), Math.Max(24, length - 8))] };
            }

            if (i % 5 == 0)
            {
                rule = rule with { Ports = [new PortRange(random.Next(0, 1000), random.Next(1000, 2000))] };
            }

            if (i % 7 == 0)
            {
                rule = rule with { Protocol = RouteProtocol.Udp, Ports = [new PortRange(5000, 5000)] };
            }

            rules.Add(rule);
        }

        var table = RouteTable.Compile(rules, "all");
        var disagreements = new List<string>();
        for (var n = 0; n < 20_000; n++)
        {
            IPAddress destination;
            if (n % 2 == 0)
            {
                var bytes = new byte[4];
                random.NextBytes(bytes);
                bytes[0] = (byte)random.Next(0, 4);
                destination = new IPAddress(bytes);
            }
            else
            {
                var bytes = new byte[16];
                random.NextBytes(bytes);
                bytes[0] = 0x20;
                bytes[1] = 0x01;
                bytes[2] = 0x0d;
                bytes[3] = (byte)(0xb8 + random.Next(0, 2));
                destination = new IPAddress(bytes);
            }

            var flow = new FlowQuery(Client, "lan0", destination, random.Next(0, 2) == 0 ? 5000 : random.Next(0, 2000), random.Next(0, 2) == 0 ? RouteProtocol.Tcp : RouteProtocol.Udp);
            var expected = LinearOracle(rules, flow);
            var seen = table.Decide(flow).RuleIndex;
            if (expected != seen && disagreements.Count < 5)
            {
                disagreements.Add($"{flow.Destination} port {flow.Port} {flow.Protocol}: linear scan {expected}, table {seen}");
            }
        }

        Assert.True(disagreements.Count == 0, "the table disagreed with the linear scan:\n" + string.Join('\n', disagreements));
    }

    [Fact]
    public void Deciding_allocates_nothing()
    {
        var geo = new TableCountryLookup(("203.0.113.0/24", "US"));
        var rules = new List<RouteRule>
        {
            Rule("domain") with { Domains = [DomainPattern.Parse(".example.com"), DomainPattern.Parse("keyword:video")] },
            Rule("geo") with { Countries = ["DE"] },
        };
        for (var i = 0; i < 1000; i++)
        {
            rules.Add(Rule($"r{i}") with { Destinations = Nets($"10.{i / 256}.{i % 256}.0/24"), Ports = [new PortRange(1, 100)] });
        }

        var table = RouteTable.Compile(rules, "all", geo);
        var flows = new[]
        {
            Flow("10.1.2.3", port: 443, domain: "www.example.org"),
            Flow("10.1.2.3", port: 80),
            Flow("203.0.113.5", domain: "cdn.example.com"),
            Flow("2001:db8::1", domain: "x.invalid"),
        };
        foreach (var f in flows)
        {
            table.Decide(f); // warm up
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0;
        for (var n = 0; n < 1000; n++)
        {
            sum += table.Decide(flows[n % flows.Length]).RuleIndex;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"expected 0 bytes allocated by 1000 decisions, saw {allocated} (checksum {sum})");
    }

    private static int LinearOracle(List<RouteRule> rules, FlowQuery flow)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            if (!r.Destinations.IsDefaultOrEmpty && !r.Destinations.Any(d => d.Contains(flow.Destination)))
            {
                continue;
            }

            if (!r.Ports.IsDefaultOrEmpty && !r.Ports.Any(p => p.Contains(flow.Port)))
            {
                continue;
            }

            if (r.Protocol is { } p && p != flow.Protocol)
            {
                continue;
            }

            return i;
        }

        return -1;
    }

    private static IPAddress Mask(byte[] bytes, int length)
    {
        var copy = (byte[])bytes.Clone();
        for (var bit = length; bit < copy.Length * 8; bit++)
        {
            copy[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(copy);
    }
}
