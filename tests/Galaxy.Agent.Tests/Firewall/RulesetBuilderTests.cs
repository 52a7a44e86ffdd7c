using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Firewall;
using Galaxy.Agent.Routing.Policy;

namespace Galaxy.Agent.Tests.Firewall;

public sealed class RulesetBuilderTests
{
    private static readonly WanEndpoint Vps = new(IPAddress.Parse("203.0.113.1"), 1194, Tcp: false);

    private static FirewallInputs Inputs(string? upDevice) => new(
        ["lan0"], "wan0", 7890, 5353,
        [new EgressFirewall("vps", new EgressSlot(0), upDevice, [Vps])],
        [new WanEndpoint(IPAddress.Parse("192.0.2.53"), 53, Tcp: false)]);

    private static ImmutableArray<string> Texts(FirewallRuleset ruleset, string chain) => [.. ruleset.RulesOf(chain).Select(r => r.ToString())];

    [Fact]
    public void Every_tproxy_rule_is_followed_by_a_drop_of_the_same_traffic()
    {
        var rules = Texts(RulesetBuilder.Build(Inputs("gxtun0")), FirewallRuleset.Prerouting);
        var tproxies = rules.Select((text, index) => (text, index)).Where(r => r.text.Contains("tproxy", StringComparison.Ordinal)).ToList();

        Assert.Equal(8, tproxies.Count);
        foreach (var (text, index) in tproxies)
        {
            var next = rules[index + 1];
            Assert.EndsWith("drop", next, StringComparison.Ordinal);
            var match = text[..text.IndexOf(" tproxy", StringComparison.Ordinal)];
            Assert.StartsWith(match, next, StringComparison.Ordinal);
        }

        Assert.Equal("iifname \"lan0\" counter drop", rules[^1]);
    }

    [Fact]
    public void The_WAN_carries_only_DHCP_the_tunnel_process_to_its_endpoint_and_marked_bootstrap_DNS()
    {
        var output = Texts(RulesetBuilder.Build(Inputs("gxtun0")), FirewallRuleset.Output);
        var wan = output.Where(r => r.Contains("oifname \"wan0\"", StringComparison.Ordinal)).ToList();

        Assert.Equal(
        [
            "oifname \"wan0\" udp sport 68 udp dport 67 accept",
            $"oifname \"wan0\" meta mark 0x{new EgressSlot(0).ProcessMark:x8} ip daddr 203.0.113.1 udp dport 1194 accept",
            $"oifname \"wan0\" meta mark 0x{EgressSlot.BootstrapDnsMark:x8} ip daddr 192.0.2.53 udp dport 53 accept",
        ], wan);
        Assert.Equal("counter drop", output[^1]);
    }

    [Fact]
    public void A_SOCKS5_proxy_may_get_the_egress_s_UDP_on_any_port_of_its_own_address_and_TCP_only_on_its_port()
    {
        var proxy = IPAddress.Parse("198.51.100.5");
        var inputs = Inputs(null) with
        {
            Egresses = [new EgressFirewall("proxy", new EgressSlot(1), null, [new WanEndpoint(proxy, 1080, Tcp: true), new WanEndpoint(proxy, WanEndpoint.AnyPort, Tcp: false)])],
        };
        var output = Texts(RulesetBuilder.Build(inputs), FirewallRuleset.Output);
        var mark = $"meta mark 0x{new EgressSlot(1).ProcessMark:x8}";

        Assert.Equal(
        [
            $"oifname \"wan0\" {mark} ip daddr 198.51.100.5 tcp dport 1080 accept",
            $"oifname \"wan0\" {mark} ip daddr 198.51.100.5 meta l4proto udp accept",
        ], output.Where(r => r.Contains(mark, StringComparison.Ordinal)).ToList());
        Assert.Equal("udp 198.51.100.5:*", new WanEndpoint(proxy, WanEndpoint.AnyPort, Tcp: false).ToString());
    }

    [Fact]
    public void A_tunnel_device_is_open_only_to_its_route_mark_and_only_while_the_egress_is_up()
    {
        var up = Texts(RulesetBuilder.Build(Inputs("gxtun0")), FirewallRuleset.Output);
        var down = Texts(RulesetBuilder.Build(Inputs(null)), FirewallRuleset.Output);

        Assert.Contains($"oifname \"gxtun0\" meta mark 0x{new EgressSlot(0).RouteMark:x8} accept", up);
        Assert.DoesNotContain(down, r => r.Contains("gxtun0", StringComparison.Ordinal));
        Assert.Contains(down, r => r.Contains("ip daddr 203.0.113.1 udp dport 1194", StringComparison.Ordinal));
    }

    [Fact]
    public void Nothing_is_forwarded_and_input_and_output_default_to_drop()
    {
        var ruleset = RulesetBuilder.Build(Inputs("gxtun0"));
        Assert.Equal(["counter drop"], Texts(ruleset, FirewallRuleset.Forward));
        Assert.All(FirewallRuleset.Chains.Where(c => c.Name is not (FirewallRuleset.Prerouting or FirewallRuleset.Reroute)), c => Assert.Equal(Galaxy.Netlink.NfTables.NfChainPolicy.Drop, c.Chain.Policy));
    }

    [Fact]
    public void Lockdown_allows_loopback_and_DHCP_only()
    {
        var lockdown = RulesetBuilder.Lockdown();
        Assert.Empty(Texts(lockdown, FirewallRuleset.Prerouting));
        Assert.Equal(["iifname \"lo\" accept", "udp sport 67 udp dport 68 accept", "counter drop"], Texts(lockdown, FirewallRuleset.Input));
        Assert.Equal(["oifname \"lo\" accept", "udp sport 68 udp dport 67 accept", "counter drop"], Texts(lockdown, FirewallRuleset.Output));
    }

    [Fact]
    public void DNS_from_the_LAN_goes_to_the_resolver_on_both_loopbacks_before_the_relay_sees_it()
    {
        var rules = Texts(RulesetBuilder.Build(Inputs("gxtun0")), FirewallRuleset.Prerouting);
        var all = string.Join('\n', rules);
        foreach (var protocol in (string[])["udp", "tcp"])
        {
            var v6 = rules.IndexOf($"iifname \"lan0\" meta nfproto ipv6 {protocol} dport 53 tproxy ip6 to [::1]:5353 meta mark set 0x4700 accept");
            var v4 = rules.IndexOf($"iifname \"lan0\" {protocol} dport 53 tproxy ip to 127.0.0.1:5353 meta mark set 0x4700 accept");
            Assert.True(v6 >= 0 && v4 >= 0, $"expected DNS over {protocol} to [::1]:5353 and 127.0.0.1:5353 in\n{all}");
            var relay = rules.Select((rule, index) => (rule, index)).First(r => r.rule.Contains($"l4proto {protocol} tproxy", StringComparison.Ordinal)).index;
            Assert.True(v6 < relay && v4 < relay, $"DNS must be taken before the relay's {protocol} rules in\n{all}");
        }
    }

    [Fact]
    public void IPv6_from_the_LAN_goes_only_to_the_relay_on_the_ipv6_loopback_or_is_dropped()
    {
        var rules = Texts(RulesetBuilder.Build(Inputs("gxtun0")), FirewallRuleset.Prerouting);
        var all = string.Join('\n', rules);

        // TCP and UDP to [::1]:relay, each right before the drop of its kind and before the IPv4-agnostic drops.
        foreach (var protocol in (string[])["tcp", "udp"])
        {
            var tproxy = rules.IndexOf($"iifname \"lan0\" meta nfproto ipv6 meta l4proto {protocol} tproxy ip6 to [::1]:7890 meta mark set 0x4700 accept");
            Assert.True(tproxy >= 0, $"expected an IPv6 {protocol} tproxy to [::1]:7890 in\n{all}");
            Assert.Equal($"iifname \"lan0\" meta nfproto ipv6 meta l4proto {protocol} counter drop", rules[tproxy + 1]);
            Assert.Equal($"iifname \"lan0\" meta l4proto {protocol} tproxy ip to 127.0.0.1:7890 meta mark set 0x4700 accept", rules[tproxy + 2]);
        }

        // Besides the relay, IPv6 from the LAN is accepted only for neighbour discovery with the router.
        var ipv6Accepts = rules.Where(r => r.Contains("ipv6", StringComparison.Ordinal) && r.EndsWith("accept", StringComparison.Ordinal) && !r.Contains("tproxy", StringComparison.Ordinal));
        // (A host's solicitation for the router's address goes to a solicited-node multicast group.)
        Assert.Equal(
            [
                "iifname \"lan0\" meta nfproto ipv6 meta l4proto ipv6-icmp fib daddr type local accept",
                "iifname \"lan0\" meta nfproto ipv6 meta l4proto ipv6-icmp fib daddr type multicast accept",
            ],
            ipv6Accepts);
    }
}
