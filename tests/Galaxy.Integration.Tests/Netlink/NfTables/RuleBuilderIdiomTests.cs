using System.Net;
using System.Text.RegularExpressions;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>
/// The rule builder against nft itself: nft adds each rule from its text into chain "nft", we add the
/// builder's version into chain "ours", and the kernel's stored expressions (<c>nft --debug=netlink list
/// chain</c>) must be identical, rule by rule (anonymous set numbers aside).
/// </summary>
public sealed partial class RuleBuilderIdiomTests
{
    private static readonly (string Nft, Func<RuleBuilder, RuleBuilder> Ours)[] Cases =
    [
        ("iifname \"lan0\" accept", r => r.IifName("lan0").Accept()),
        ("iifname \"lan*\" accept", r => r.IifName("lan*").Accept()),
        ("oifname != \"wan0\" drop", r => r.OifName("wan0", not: true).Drop()),
        ("iif \"lo\" accept", r => r.Iif(1).Accept()),
        ("meta l4proto tcp accept", r => r.L4Proto(RuleBuilder.Tcp).Accept()),
        ("meta l4proto { tcp, udp } accept", r => r.L4ProtoIn(RuleBuilder.Tcp, RuleBuilder.Udp).Accept()),
        ("tcp dport 443 accept", r => r.TcpDport(443).Accept()),
        ("udp sport 53 accept", r => r.UdpSport(53).Accept()),
        ("tcp dport { 80, 443 } accept", r => r.TcpDportIn(80, 443).Accept()),
        ("meta l4proto tcp tcp dport 443 accept", r => r.L4Proto(RuleBuilder.Tcp).TcpDport(443).Accept()),
        ("tcp sport 1 tcp dport 443 accept", r => r.TcpSport(1).TcpDport(443).Accept()),
        ("udp dport 53 udp sport 5353 accept", r => r.UdpDport(53).UdpSport(5353).Accept()),
        ("tcp sport != 1 tcp dport 443 accept", r => r.TcpSport(1, not: true).TcpDport(443).Accept()),
        ("ip saddr 192.0.2.1 ip daddr 192.0.2.2 tcp dport 22 accept", r => r.SaddrV4(IPAddress.Parse("192.0.2.1")).DaddrV4(IPAddress.Parse("192.0.2.2")).TcpDport(22).Accept()),
        ("ip saddr 10.0.0.0/8 drop", r => r.SaddrV4(IPNetwork.Parse("10.0.0.0/8")).Drop()),
        ("ip daddr 10.1.2.0/23 drop", r => r.DaddrV4(IPNetwork.Parse("10.1.2.0/23")).Drop()),
        ("ip daddr != 198.51.100.7 counter drop", r => r.DaddrV4(IPAddress.Parse("198.51.100.7"), not: true).Counter().Drop()),
        ("ip saddr 198.51.100.0/24 ip daddr 203.0.113.1 accept", r => r.SaddrV4(IPNetwork.Parse("198.51.100.0/24")).DaddrV4(IPAddress.Parse("203.0.113.1")).Accept()),
        ("ip6 daddr 2001:db8::/32 accept", r => r.DaddrV6(IPNetwork.Parse("2001:db8::/32")).Accept()),
        ("ip6 saddr 2001:db8::1 accept", r => r.SaddrV6(IPAddress.Parse("2001:db8::1")).Accept()),
        ("ip daddr @s4 accept", r => r.DaddrV4In("s4").Accept()),
        ("ip daddr != @s4 accept", r => r.DaddrV4NotIn("s4").Accept()),
        ("ip6 saddr @s6 drop", r => r.SaddrV6In("s6").Drop()),
        ("meta mark 0x1 accept", r => r.Mark(1).Accept()),
        ("meta mark & 0xff00 == 0x100 accept", r => r.Mark(0x100, 0xff00).Accept()),
        ("meta mark set 0x1", r => r.SetMark(1)),
        ("meta mark set meta mark | 0x1", r => r.OrMark(1)),
        ("ct state established,related accept", r => r.CtState(NfCtState.Established | NfCtState.Related).Accept()),
        ("ct state new drop", r => r.CtState(NfCtState.New).Drop()),
        ("meta l4proto tcp socket transparent 1 meta mark set 0x1 accept", r => r.L4Proto(RuleBuilder.Tcp).SocketTransparent().SetMark(1).Accept()),
        ("meta l4proto tcp tproxy ip to 127.0.0.1:15001", r => r.L4Proto(RuleBuilder.Tcp).TproxyV4(IPAddress.Loopback, 15001)),
        ("meta l4proto udp tproxy ip6 to [::1]:15001", r => r.L4Proto(RuleBuilder.Udp).TproxyV6(IPAddress.IPv6Loopback, 15001)),
        ("meta l4proto tcp tproxy to :15001", r => r.L4Proto(RuleBuilder.Tcp).TproxyPort(15001)),
        ("iifname \"lan0\" meta l4proto { tcp, udp } ip daddr != @s4 tproxy ip to 127.0.0.1:15001 meta mark set 0x1 accept",
            r => r.IifName("lan0").L4ProtoIn(RuleBuilder.Tcp, RuleBuilder.Udp).DaddrV4NotIn("s4").TproxyV4(IPAddress.Loopback, 15001).SetMark(1).Accept()),
        ("counter", r => r.Counter()),
        ("meta l4proto tcp reject with tcp reset", r => r.L4Proto(RuleBuilder.Tcp).RejectTcpReset()),
        ("reject with icmpx admin-prohibited", r => r.RejectAdminProhibited()),
        ("reject with icmpx port-unreachable", r => r.RejectPortUnreachable()),
        ("meta skuid 1000 accept", r => r.SkUid(1000).Accept()),
        ("meta skgid 1000 accept", r => r.SkGid(1000).Accept()),
        ("fib saddr type local drop", r => r.FibSaddrTypeLocal().Drop()),
        ("jump sub", r => r.Jump("sub")),
        ("goto sub", r => r.Goto("sub")),
        ("return", r => r.Return()),
        ("oifname \"wan0\" masquerade", r => r.OifName("wan0").Masquerade()),
    ];

    [Fact]
    public async Task Every_builder_rule_stores_the_same_expressions_as_nft_generates()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        await router.RunCheckedAsync(["nft", "-f", "-"], stdin: """
            table inet p {
              set s4 { type ipv4_addr; flags interval; }
              set s6 { type ipv6_addr; flags interval; }
              chain sub { }
              chain nft { }
              chain ours { }
              chain natnft { type nat hook postrouting priority srcnat; }
              chain natours { type nat hook postrouting priority srcnat; }
            }
            """);

        var nftScript = string.Join('\n', Cases.Select(c => $"add rule inet p {(c.Nft.Contains("masquerade", StringComparison.Ordinal) ? "natnft" : "nft")} {c.Nft}")) + "\n";
        await router.RunCheckedAsync(["nft", "-f", "-"], stdin: nftScript);

        var batch = new NfBatch();
        foreach (var (nft, ours) in Cases)
        {
            batch.AddRule("p", nft.Contains("masquerade", StringComparison.Ordinal) ? "natours" : "ours", ours(new RuleBuilder(NfFamily.Inet)));
        }

        using (var client = NfTablesClient.OpenIn(router.NamespacePath))
        {
            client.Commit(batch);
        }

        var theirs = (await DebugRules(router, "nft")).Concat(await DebugRules(router, "natnft")).ToList();
        var mine = (await DebugRules(router, "ours")).Concat(await DebugRules(router, "natours")).ToList();
        Assert.True(theirs.Count == Cases.Length && mine.Count == Cases.Length, $"expected {Cases.Length} rules in both chains, saw {theirs.Count} and {mine.Count}");
        Assert.True(theirs[0] == "  [ meta load iifname => reg 1 ]\n  [ cmp eq reg 1 0x306e616c 0x00000000 0x00000000 0x00000000 ]\n  [ immediate reg 0 accept ]\n",
            $"expected nft's debug listing of rule 0 to be parsed, saw:\n{theirs[0]}");
        var ordered = Cases.Where(c => !c.Nft.Contains("masquerade", StringComparison.Ordinal)).Concat(Cases.Where(c => c.Nft.Contains("masquerade", StringComparison.Ordinal))).ToList();
        var failures = new List<string>();
        for (var i = 0; i < theirs.Count; i++)
        {
            if (theirs[i] != mine[i])
            {
                failures.Add($"'{ordered[i].Nft}':\n  nft:\n{theirs[i]}\n  ours:\n{mine[i]}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} rules differ from nft's:\n" + string.Join("\n", failures));
    }

    /// <summary>The expression lines of each rule of a chain, anonymous set numbers blanked.</summary>
    private static async Task<List<string>> DebugRules(LabHost host, string chain)
    {
        var result = await host.RunCheckedAsync("nft", "--debug=netlink", "list", "chain", "inet", "p", chain);
        var rules = new List<string>();
        List<string>? current = null;
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (line.StartsWith($"inet p {chain} ", StringComparison.Ordinal))
            {
                current = [];
                rules.Add("");
                continue;
            }

            if (current is not null && line.StartsWith("  [", StringComparison.Ordinal))
            {
                rules[^1] += AnonymousSet().Replace(line, "__set#") + "\n";
            }
            else if (line.Length == 0)
            {
                current = null;
            }
        }

        return rules;
    }

    [GeneratedRegex(@"__set\d+")]
    private static partial Regex AnonymousSet();
}
