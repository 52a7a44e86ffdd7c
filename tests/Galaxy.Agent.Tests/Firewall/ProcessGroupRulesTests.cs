using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Firewall;

namespace Galaxy.Agent.Tests.Firewall;

/// <summary>The output rules for SSH egresses' processes, known by their numeric group.</summary>
public sealed class ProcessGroupRulesTests
{
    private static readonly WanEndpoint Server = new(IPAddress.Parse("203.0.113.1"), 2222, Tcp: true);

    private static ImmutableArray<string> Output(params ProcessGroupEgress[] groups) =>
    [
        .. RulesetBuilder.Build(new FirewallInputs(["lan0"], "wan0", 7890, 5353, [], [], ProcessGroups: [.. groups]))
            .RulesOf(FirewallRuleset.Output).Select(r => r.ToString()),
    ];

    [Fact]
    public void An_ssh_group_may_reach_only_its_pinned_server_on_the_WAN_and_the_rest_of_it_is_dropped_and_counted()
    {
        var output = Output(new ProcessGroupEgress("nyc", 0x4900, [Server], null));
        var group = output.Where(r => r.Contains("skgid", StringComparison.Ordinal)).ToList();

        Assert.Equal(
        [
            "oifname \"wan0\" meta skgid 18688 ip daddr 203.0.113.1 tcp dport 2222 accept",
            "meta skgid 18688 counter drop",
        ], group);
        Assert.Equal("counter drop", output[^1]);
    }

    [Fact]
    public void Riding_on_a_tunnel_the_group_may_leave_with_its_route_mark_only_while_the_carrier_is_up()
    {
        var up = Output(new ProcessGroupEgress("nyc", 0x4901, [], "gxtun0", 0x4800)).Where(r => r.Contains("skgid", StringComparison.Ordinal));
        Assert.Equal(["meta skgid 18689 meta mark 0x00004800 accept", "meta skgid 18689 counter drop"], up);

        var down = Output(new ProcessGroupEgress("nyc", 0x4901, [], null, 0x4800)).Where(r => r.Contains("skgid", StringComparison.Ordinal));
        Assert.Equal(["meta skgid 18689 counter drop"], down);
    }

    [Fact]
    public void Riding_on_a_tunnel_the_group_is_routed_by_that_egress_table_up_or_down()
    {
        foreach (var device in (string?[])["gxtun0", null])
        {
            var ruleset = RulesetBuilder.Build(new FirewallInputs(["lan0"], "wan0", 7890, 5353, [], [], ProcessGroups: [new ProcessGroupEgress("nyc", 0x4901, [], device, 0x4800)]));
            var reroute = ruleset.RulesOf(FirewallRuleset.Reroute).Select(r => r.ToString()).ToList();
            var rule = Assert.Single(reroute);
            Assert.True(rule.StartsWith("meta skgid 18689 ", StringComparison.Ordinal) && rule.Contains("mark set", StringComparison.Ordinal) && rule.Contains("4800", StringComparison.Ordinal),
                $"expected the group's packets to get route mark 0x4800, saw: {rule}");
        }

        var wan = RulesetBuilder.Build(new FirewallInputs(["lan0"], "wan0", 7890, 5353, [], [], ProcessGroups: [new ProcessGroupEgress("nyc", 0x4900, [Server], null)]));
        Assert.Empty(wan.RulesOf(FirewallRuleset.Reroute));
    }

    [Fact]
    public void Without_groups_the_ruleset_is_the_one_it_always_was()
    {
        var before = RulesetBuilder.Build(new FirewallInputs(["lan0"], "wan0", 7890, 5353, [], []));
        var after = RulesetBuilder.Build(new FirewallInputs(["lan0"], "wan0", 7890, 5353, [], [], ProcessGroups: []));
        Assert.Equal(before.ToText(), after.ToText());
    }
}
