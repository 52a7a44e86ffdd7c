using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>Counters under real traffic; flush, delete rule, destroy; a 3000-rule batch.</summary>
public sealed class NfTablesLifecycleTests
{
    [Fact]
    public async Task A_counter_rule_counts_real_pings()
    {
        await using var lab = Lab.Create();
        var client = await lab.AddHostAsync("client");
        var router = await lab.AddHostAsync("router");
        await lab.ConnectAsync(client, "eth0", router, "lan0");
        await client.AddAddressAsync("eth0", "198.51.100.2/24");
        await router.AddAddressAsync("lan0", "198.51.100.1/24");

        using var nf = NfTablesClient.OpenIn(router.NamespacePath);
        nf.Commit(new NfBatch()
            .AddTable(NfFamily.Inet, "galaxy")
            .AddBaseChain(NfFamily.Inet, "galaxy", "input", new NfBaseChain(NfChainType.Filter, NfHook.Input, NfPriority.Filter))
            .AddRule("galaxy", "input", new RuleBuilder(NfFamily.Inet).IifName("lan0")
                .SaddrV4(System.Net.IPAddress.Parse("198.51.100.2")).L4Proto(1).Counter().Accept()));
        var before = nf.ListRules(NfFamily.Inet, "galaxy", "input").Single().Counter;
        Assert.True(before is { Packets: 0 }, $"expected a fresh counter at 0, saw {before}");

        await client.RunCheckedAsync("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.1");

        var after = nf.ListRules(NfFamily.Inet, "galaxy", "input").Single().Counter;
        Assert.True(after is { Packets: >= 3, Bytes: >= 3 * 84 }, $"expected at least 3 packets / 252 bytes counted, saw {after}");
        var nft = await router.RunCheckedAsync("nft", "list", "chain", "inet", "galaxy", "input");
        Assert.Contains($"counter packets {after!.Packets} bytes {after.Bytes}", nft.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flush_delete_and_destroy_remove_exactly_what_they_name()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var nf = NfTablesClient.OpenIn(router.NamespacePath);
        nf.Commit(NfTablesFixture.RulesetBatch());

        var rules = nf.ListRules(NfFamily.Inet, "galaxy", "prerouting");
        nf.Commit(new NfBatch().DeleteRule(NfFamily.Inet, "galaxy", "prerouting", rules[0].Handle));
        var remaining = (await NftOracle.ListAsync(router)).Rules("galaxy", "prerouting");
        Assert.True(remaining.Count == 1 && remaining[0].GetProperty("handle").GetUInt64() == rules[1].Handle,
            $"expected only rule handle {rules[1].Handle} left, saw {remaining.Count} rules");

        nf.Commit(new NfBatch().FlushTable(NfFamily.Inet, "galaxy"));
        var flushed = await NftOracle.ListAsync(router);
        Assert.True(flushed.Rules("galaxy", "prerouting").Count == 0, $"expected no rules after flush:\n{flushed.Json}");
        Assert.True(flushed.Chain("galaxy", "prerouting") is not null, "expected the chains to stay after a flush");

        nf.Commit(new NfBatch().DeleteSet(NfFamily.Inet, "galaxy", "bypass4").DeleteChain(NfFamily.Inet, "galaxy", "forward"));
        var pruned = await NftOracle.ListAsync(router);
        Assert.True(pruned.Set("galaxy", "bypass4") is null && pruned.Chain("galaxy", "forward") is null && pruned.Chain("galaxy", "prerouting") is not null,
            $"expected set bypass4 and chain forward deleted, prerouting kept:\n{pruned.Json}");

        nf.Commit(new NfBatch().DestroyTable(NfFamily.Inet, "galaxy"));
        Assert.False((await NftOracle.ListAsync(router)).HasTable("inet", "galaxy"), "expected the table gone after destroy");

        // The atomic replace idiom: destroy + add + contents in one batch, twice.
        nf.Commit(NfTablesFixture.RulesetBatch(new NfBatch().DestroyTable(NfFamily.Inet, "galaxy")));
        nf.Commit(NfTablesFixture.RulesetBatch(new NfBatch().DestroyTable(NfFamily.Inet, "galaxy")));
        Assert.True((await NftOracle.ListAsync(router)).Rules("galaxy", "prerouting").Count == 2, "expected exactly the 2 rules after replacing twice");
    }

    [Fact]
    public async Task A_batch_of_3000_rules_commits_without_ENOBUFS()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var nf = NfTablesClient.OpenIn(router.NamespacePath);
        var batch = new NfBatch()
            .AddTable(NfFamily.Inet, "big")
            .AddBaseChain(NfFamily.Inet, "big", "forward", new NfBaseChain(NfChainType.Filter, NfHook.Forward, NfPriority.Filter));
        for (var i = 0; i < 3000; i++)
        {
            batch.AddRule("big", "forward", new RuleBuilder(NfFamily.Inet).TcpDport((ushort)(1000 + i)).Counter().Accept());
        }

        nf.Commit(batch);

        var count = nf.ListRules(NfFamily.Inet, "big", "forward").Count;
        Assert.True(count == 3000, $"expected 3000 rules, listed {count}");
    }
}
