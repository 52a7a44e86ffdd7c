using System.Collections.Immutable;
using Galaxy.Agent.Firewall;

namespace Galaxy.Agent.Tests.Firewall;

public sealed class DhcpRulesTests
{
    private static FirewallInputs Inputs(ImmutableArray<string> dhcp) => new(["lan0", "lan1"], "wan0", 7890, 5353, [], [], dhcp);

    private static ImmutableArray<string> Texts(FirewallRuleset ruleset, string chain) => [.. ruleset.RulesOf(chain).Select(r => r.ToString())];

    private const string Request = "udp sport 68 udp dport 67 accept";

    [Fact]
    public void With_dhcp_enabled_requests_from_the_served_lan_reach_the_router_and_nothing_else_changes()
    {
        var served = RulesetBuilder.Build(Inputs(["lan0"]));
        var input = Texts(served, FirewallRuleset.Input);
        var prerouting = Texts(served, FirewallRuleset.Prerouting);

        Assert.Contains($"iifname \"lan0\" {Request}", input);
        Assert.DoesNotContain($"iifname \"lan1\" {Request}", input);
        Assert.DoesNotContain(input, r => r.StartsWith("udp dport 67", StringComparison.Ordinal));

        // Broadcast requests are not "local" to fib: they must be let through before the relay's UDP tproxy takes them.
        var accept = prerouting.IndexOf($"iifname \"lan0\" {Request}");
        var udpTproxy = prerouting.ToList().FindIndex(r => r.StartsWith("iifname \"lan0\" meta l4proto udp tproxy", StringComparison.Ordinal));
        Assert.True(accept >= 0 && udpTproxy > accept, $"expected the DHCP accept (at {accept}) before lan0's UDP tproxy (at {udpTproxy}) in\n{string.Join('\n', prerouting)}");

        // The replies leave through the LAN, which the output chain already accepts.
        Assert.Contains("oifname \"lan0\" accept", Texts(served, FirewallRuleset.Output));

        var without = RulesetBuilder.Build(Inputs([]));
        Assert.Equal(
            [.. Texts(without, FirewallRuleset.Input)],
            [.. input.Where(r => r != $"iifname \"lan0\" {Request}")]);
    }

    [Fact]
    public void With_dhcp_disabled_no_rule_admits_dhcp_from_the_lan()
    {
        foreach (var dhcp in new[] { ImmutableArray<string>.Empty, default })
        {
            var ruleset = RulesetBuilder.Build(Inputs(dhcp));
            var lanRules = Texts(ruleset, FirewallRuleset.Input).Concat(Texts(ruleset, FirewallRuleset.Prerouting))
                .Where(r => r.Contains("dport 67", StringComparison.Ordinal))
                .ToList();
            Assert.True(lanRules.Count == 0, $"expected no rule for port 67 from the LAN, saw {string.Join("; ", lanRules)}");
        }
    }
}
