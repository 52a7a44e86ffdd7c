using System.Text.Json;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>Batches committed into a fresh namespace, checked with <c>nft -j list ruleset</c> and our own read-back.</summary>
public sealed class NfTablesCommitTests
{
    [Fact]
    public async Task The_tproxy_ruleset_commits_and_nft_lists_it_exactly()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using (var client = NfTablesClient.OpenIn(router.NamespacePath))
        {
            client.Commit(NfTablesFixture.RulesetBatch());
        }

        var nft = await NftOracle.ListAsync(router);
        Assert.True(nft.HasTable("inet", "galaxy"), $"expected table inet galaxy; nft listed:\n{nft.Json}");
        AssertChain(nft, "prerouting", "filter", "prerouting", -150, "accept");
        AssertChain(nft, "forward", "filter", "forward", 0, "drop");

        var set = nft.Set("galaxy", "bypass4") ?? throw new Xunit.Sdk.XunitException($"expected set bypass4; nft listed:\n{nft.Json}");
        Assert.True(set.GetProperty("type").GetString() == "ipv4_addr", $"expected type ipv4_addr, saw {set.GetRawText()}");
        Assert.True(set.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).SequenceEqual(["interval"]), $"expected flags [interval], saw {set.GetRawText()}");
        var prefixes = set.GetProperty("elem").EnumerateArray()
            .Select(e => $"{e.GetProperty("prefix").GetProperty("addr").GetString()}/{e.GetProperty("prefix").GetProperty("len").GetInt32()}").ToList();
        Assert.True(prefixes.SequenceEqual(["10.0.0.0/8", "192.168.0.0/16"]), $"expected elements 10.0.0.0/8, 192.168.0.0/16; saw {string.Join(", ", prefixes)}");

        var rules = nft.Rules("galaxy", "prerouting");
        Assert.True(rules.Count == 2, $"expected 2 rules in prerouting, saw {rules.Count}:\n{nft.Json}");
        var text = await router.RunCheckedAsync("nft", "list", "chain", "inet", "galaxy", "prerouting");
        Assert.Contains("meta l4proto tcp socket transparent 1 meta mark set 0x00000001 accept", text.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("iifname \"lan0\" meta l4proto { tcp, udp } ip daddr != @bypass4 tproxy ip to 127.0.0.1:15001 meta mark set 0x00000001 accept",
            text.StandardOutput, StringComparison.Ordinal);
        var ruleJson = rules[1].GetProperty("expr").GetRawText();
        Assert.True(ruleJson.Contains("\"tproxy\"", StringComparison.Ordinal) && ruleJson.Contains("15001", StringComparison.Ordinal),
            $"expected a tproxy to port 15001 in rule 2, saw {ruleJson}");
    }

    [Fact]
    public async Task Our_read_back_agrees_with_what_was_committed()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        client.Commit(NfTablesFixture.RulesetBatch());

        var tables = client.ListTables(NfFamily.Inet);
        Assert.True(tables.Count == 1 && tables[0].Name == "galaxy" && !tables[0].IsOwned,
            $"expected one unowned table galaxy, saw {string.Join(", ", tables)}");

        var chains = client.ListChains(NfFamily.Inet, "galaxy").OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var expectedChains = new (string, NfBaseChain?)[]
        {
            ("forward", new NfBaseChain(NfChainType.Filter, NfHook.Forward, 0, NfChainPolicy.Drop)),
            ("prerouting", new NfBaseChain(NfChainType.Filter, NfHook.Prerouting, -150, NfChainPolicy.Accept)),
        };
        Assert.True(chains.Select(c => (c.Name, c.BaseChain)).SequenceEqual(expectedChains),
            $"expected chains {string.Join(", ", expectedChains)}, saw {string.Join(", ", chains)}");

        var rules = client.ListRules(NfFamily.Inet, "galaxy", "prerouting");
        var sent = NfTablesFixture.RulesetBatch();
        Assert.True(rules.Count == 2, $"expected 2 rules, saw {rules.Count}");
        Assert.True(rules.All(r => r.Handle > 0), "expected every rule to carry a handle");
        var expected = new[]
        {
            new RuleBuilder(NfFamily.Inet).L4Proto(RuleBuilder.Tcp).SocketTransparent().SetMark(1).Accept().Build(),
            new RuleBuilder(NfFamily.Inet).IifName("lan0").L4ProtoIn(RuleBuilder.Tcp, RuleBuilder.Udp).DaddrV4NotIn("bypass4")
                .TproxyV4(System.Net.IPAddress.Loopback, 15001).SetMark(1).Accept().Build(),
        };
        for (var i = 0; i < expected.Length; i++)
        {
            // The kernel names the anonymous set __set0 and does not echo set ids: compare the text with those normalised.
            var want = string.Join('\n', expected[i].Expressions.Select(e => "[ " + e + " ]")).Replace("__set%d", "__set0", StringComparison.Ordinal);
            Assert.True(want == rules[i].DebugText, $"rule {i}: expected\n{want}\nsaw\n{rules[i].DebugText}");
        }

        var sets = client.ListSets(NfFamily.Inet, "galaxy");
        Assert.Contains(sets, s => s.Name == "bypass4" && s.IsInterval && s.KeyLength == 4);
        var prefixes = client.ListSetPrefixes(NfFamily.Inet, "galaxy", "bypass4").Select(p => p.ToString()).ToList();
        Assert.True(prefixes.SequenceEqual(["10.0.0.0/8", "192.168.0.0/16"]), $"expected 10.0.0.0/8, 192.168.0.0/16 read back, saw {string.Join(", ", prefixes)}");
        Assert.True(sent.Count == 9, $"expected the ruleset batch to hold 9 messages, saw {sent.Count}");
    }

    private static void AssertChain(NftOracle nft, string name, string type, string hook, int priority, string policy)
    {
        var chain = nft.Chain("galaxy", name) ?? throw new Xunit.Sdk.XunitException($"expected chain {name}; nft listed:\n{nft.Json}");
        var seen = (chain.GetProperty("type").GetString(), chain.GetProperty("hook").GetString(), chain.GetProperty("prio").GetInt32(), chain.GetProperty("policy").GetString());
        Assert.True(seen == (type, hook, priority, policy), $"chain {name}: expected {(type, hook, priority, policy)}, saw {seen}");
    }
}
