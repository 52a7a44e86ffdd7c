using System.Globalization;
using System.Net;
using System.Text.Json;
using Galaxy.Integration.Tests.Labs;
using TestLab = Galaxy.Integration.Tests.Labs.Lab;
using Galaxy.Netlink.Route;

namespace Galaxy.Integration.Tests.Netlink.Route;

/// <summary>Policy rules added and deleted by <see cref="RtNetlinkClient"/>, checked with <c>ip -j rule show</c>.</summary>
public sealed class RtRuleTests
{
    [Fact]
    public async Task IPv4_rules_with_every_selector_are_added_listed_and_deleted()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);

        var rules = new[]
        {
            Rule(IpFamily.IPv4, 100) with { Fwmark = 0x1, FwMask = 0xff, Table = 100 },
            Rule(IpFamily.IPv4, 101) with { Fwmark = 0x2, Table = 300 },
            Rule(IpFamily.IPv4, 110) with { IifName = "lan0", OifName = "wan0", Table = 100 },
            Rule(IpFamily.IPv4, 120) with { Source = IPNetwork.Parse("198.51.100.0/24"), Destination = IPNetwork.Parse("203.0.113.0/25"), Table = 100 },
            Rule(IpFamily.IPv4, 130) with { Fwmark = 0x3, Action = RuleAction.Unreachable },
        };
        string[] expected =
        [
            "100 fwmark 0x1/0xff lookup 100",
            "101 fwmark 0x2 lookup 300",
            "110 iif lan0 oif wan0 lookup 100",
            "120 from 198.51.100.0/24 to 203.0.113.0/25 lookup 100",
            "130 fwmark 0x3 unreachable",
        ];

        foreach (var rule in rules)
        {
            rt.AddRule(rule);
        }

        await AssertRulesAsync(host, rt, IpFamily.IPv4, expected);

        foreach (var rule in rules)
        {
            rt.DeleteRule(rule);
        }

        await AssertRulesAsync(host, rt, IpFamily.IPv4, []);
    }

    [Fact]
    public async Task IPv6_rules_are_added_listed_and_deleted()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);

        var rules = new[]
        {
            Rule(IpFamily.IPv6, 100) with { Fwmark = 0x1, Table = 100 },
            Rule(IpFamily.IPv6, 120) with { Source = IPNetwork.Parse("2001:db8::/32"), IifName = "lan0", Table = 300 },
            Rule(IpFamily.IPv6, 130) with { Destination = IPNetwork.Parse("2001:db8:1::/48"), Action = RuleAction.Prohibit },
        };
        foreach (var rule in rules)
        {
            rt.AddRule(rule);
        }

        await AssertRulesAsync(host, rt, IpFamily.IPv6,
            ["100 fwmark 0x1 lookup 100", "120 from 2001:db8::/32 iif lan0 lookup 300", "130 to 2001:db8:1::/48 prohibit"]);

        foreach (var rule in rules)
        {
            rt.DeleteRule(rule);
        }

        await AssertRulesAsync(host, rt, IpFamily.IPv6, []);
    }

    [Fact]
    public async Task Adding_the_same_rule_twice_keeps_one_rule()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);
        var rule = Rule(IpFamily.IPv4, 100) with { Fwmark = 0x1, FwMask = 0xffffffff, Table = 100 };

        rt.AddRule(rule);
        rt.AddRule(rule);

        await AssertRulesAsync(host, rt, IpFamily.IPv4, ["100 fwmark 0x1 lookup 100"]);
    }

    [Fact]
    public async Task Deleting_a_missing_rule_succeeds()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);
        var rule = Rule(IpFamily.IPv4, 100) with { Fwmark = 0x1, Table = 100 };

        rt.DeleteRule(rule);
        rt.AddRule(rule);
        rt.DeleteRule(rule);
        rt.DeleteRule(rule);

        await AssertRulesAsync(host, rt, IpFamily.IPv4, []);
    }

    [Fact]
    public async Task A_rule_without_a_priority_is_refused()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);

        var error = Assert.Throws<ArgumentException>(() => rt.AddRule(new RuleSpec { Family = IpFamily.IPv4, Fwmark = 0x1, Table = 100 }));
        Assert.True(error.Message.Contains("priority", StringComparison.Ordinal), $"expected the refusal to mention the priority; got {error.Message}");
        await AssertRulesAsync(host, rt, IpFamily.IPv4, []);
    }

    private static RuleSpec Rule(IpFamily family, uint priority) => new() { Family = family, Priority = priority };

    /// <summary>Both ip and ListRules hold the three default rules plus exactly <paramref name="expected"/>.</summary>
    private static async Task AssertRulesAsync(LabHost host, RtNetlinkClient rt, IpFamily family, string[] expected)
    {
        var json = await IpJson.QueryAsync(host, family == IpFamily.IPv6 ? "-6" : "-4", "rule", "show");
        var ip = json.Select(FromIp).ToArray();
        var ours = rt.ListRules(family).Select(FromOurs).ToArray();
        string[] defaults = ["0 lookup 255", "32766 lookup 254", "32767 lookup 253"];
        var want = family == IpFamily.IPv6 ? expected.Concat(defaults.Where(d => !d.EndsWith("253", StringComparison.Ordinal))) : expected.Concat(defaults);
        var wanted = want.Order().ToArray();
        Assert.True(wanted.SequenceEqual(ip.Order()), $"expected ip -j rule show ({family}) to hold\n  {string.Join("\n  ", wanted)}\nip says\n  {string.Join("\n  ", ip.Order())}\n  raw: {IpJson.Describe(json)}");
        Assert.True(wanted.SequenceEqual(ours.Order()), $"expected ListRules({family}) to hold\n  {string.Join("\n  ", wanted)}\nbut it listed\n  {string.Join("\n  ", ours.Order())}");
    }

    private static string FromIp(JsonElement r)
    {
        var line = r.Text("priority")!;
        if (r.Text("src") is { } src && src != "all")
        {
            line += $" from {src}/{r.Text("srclen")}";
        }

        if (r.Text("dst") is { } dst && dst != "all")
        {
            line += $" to {dst}/{r.Text("dstlen")}";
        }

        if (r.Text("fwmark") is { } mark)
        {
            line += $" fwmark {mark}" + (r.Text("fwmask") is { } mask ? $"/{mask}" : "");
        }

        line += r.Text("iif") is { } iif ? $" iif {iif}" : "";
        line += r.Text("oif") is { } oif ? $" oif {oif}" : "";
        line += r.Text("action") is { } action ? $" {action}" : $" lookup {IpJson.TableNumber(r.Text("table"))}";
        return line;
    }

    private static string FromOurs(RuleInfo r)
    {
        var line = r.Priority.ToString(CultureInfo.InvariantCulture);
        line += r.Source is { } src ? $" from {src}" : "";
        line += r.Destination is { } dst ? $" to {dst}" : "";
        if (r.Fwmark is { } mark)
        {
            line += $" fwmark 0x{mark:x}" + (r.FwMask is { } mask && mask != 0xffffffff ? $"/0x{mask:x}" : "");
        }

        line += r.IifName is { } iif ? $" iif {iif}" : "";
        line += r.OifName is { } oif ? $" oif {oif}" : "";
        line += r.Action switch
        {
            RuleAction.Lookup => $" lookup {r.Table}",
            RuleAction.Unreachable => " unreachable",
            RuleAction.Blackhole => " blackhole",
            RuleAction.Prohibit => " prohibit",
            var a => $" {a}",
        };
        return line;
    }
}
