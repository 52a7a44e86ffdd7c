using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;
using Galaxy.Netlink.Core.Interop;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>Refused batches: the errno, the failing message and expression, and that nothing was applied.</summary>
public sealed class NfTablesErrorTests
{
    [Fact]
    public async Task Creating_an_existing_table_exclusively_fails_with_EEXIST_naming_the_message()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        client.Commit(new NfBatch().AddTable(NfFamily.Inet, "t1", exclusive: true));

        var error = Assert.Throws<NetlinkException>(() => client.Commit(new NfBatch().AddTable(NfFamily.Inet, "t1", exclusive: true)));

        Assert.True(error.Errno == Errno.EEXIST, $"expected EEXIST, saw {error.Message}");
        Assert.True(error.MessageIndex == 0 && error.MessageDescription == "create table inet t1",
            $"expected message 0 'create table inet t1', saw {error.MessageIndex} '{error.MessageDescription}'");
    }

    [Fact]
    public async Task A_rule_in_a_missing_chain_fails_with_ENOENT_and_rolls_back_the_table_of_the_same_batch()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        var batch = new NfBatch().AddTable(NfFamily.Inet, "t1")
            .AddRule("t1", "missing", new RuleBuilder(NfFamily.Inet).Counter().Accept());

        var error = Assert.Throws<NetlinkException>(() => client.Commit(batch));

        Assert.True(error.Errno == Errno.ENOENT, $"expected ENOENT, saw {error.Message}");
        Assert.True(error.MessageIndex == 1, $"expected the rule (message 1) to fail, saw {error.MessageIndex}: {error.Message}");
        Assert.False((await NftOracle.ListAsync(router)).HasTable("inet", "t1"), "expected table t1 rolled back with the batch");
    }

    [Fact]
    public async Task Deleting_a_missing_table_fails_with_ENOENT_but_destroying_it_succeeds()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);

        var error = Assert.Throws<NetlinkException>(() => client.Commit(new NfBatch().DeleteTable(NfFamily.Inet, "nope")));
        Assert.True(error.Errno == Errno.ENOENT, $"expected ENOENT, saw {error.Message}");

        client.Commit(new NfBatch().DestroyTable(NfFamily.Inet, "nope"));
    }

    [Fact]
    public async Task A_tproxy_rule_in_an_output_chain_is_refused_and_the_whole_batch_is_rolled_back()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        var batch = new NfBatch()
            .AddTable(NfFamily.Inet, "t2")
            .AddBaseChain(NfFamily.Inet, "t2", "output", new NfBaseChain(NfChainType.Filter, NfHook.Output, NfPriority.Mangle))
            .AddRule("t2", "output", new RuleBuilder(NfFamily.Inet).L4Proto(RuleBuilder.Tcp).TproxyV4(System.Net.IPAddress.Loopback, 15001).Drop());

        var error = Assert.Throws<NetlinkException>(() => client.Commit(batch));

        Assert.True(error.Errno == Errno.EOPNOTSUPP, $"expected EOPNOTSUPP, saw {error.Message}");
        Assert.True(error.MessageIndex == 2, $"expected the rule (message 2) to fail, saw {error.MessageIndex}: {error.Message}");
        Assert.True(error.ExpressionName == "tproxy" && error.ExpressionIndex == 4,
            $"expected expression 4 (tproxy) named, saw {error.ExpressionIndex} ({error.ExpressionName}); offset {error.AttributeOffset}: {error.Message}");
        var nft = await NftOracle.ListAsync(router);
        Assert.False(nft.HasTable("inet", "t2"), $"expected table t2 rolled back, nft listed:\n{nft.Json}");
    }

    [Fact]
    public async Task A_stale_generation_is_refused_with_ERESTART_and_applies_nothing()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        var generation = client.GetGeneration();
        client.Commit(new NfBatch().AddTable(NfFamily.Inet, "a"), generation);
        var after = client.GetGeneration();
        Assert.True(after != generation, $"expected the generation to move after a commit, stayed {generation}");

        var error = Assert.Throws<NetlinkException>(() => client.Commit(new NfBatch().AddTable(NfFamily.Inet, "b"), generation));

        Assert.True(error.Errno == Errno.ERESTART, $"expected ERESTART, saw {error.Message}");
        Assert.Contains("generation", error.MessageDescription ?? "", StringComparison.Ordinal);
        var nft = await NftOracle.ListAsync(router);
        Assert.False(nft.HasTable("inet", "b"), $"expected table b not created, nft listed:\n{nft.Json}");
        Assert.True(client.GetGeneration() == after, "expected the refused batch to leave the generation unchanged");
    }

    [Fact]
    public async Task A_lookup_of_a_missing_set_names_the_lookup_expression_from_the_kernel_offset()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        client.Commit(new NfBatch().AddTable(NfFamily.Inet, "t3")
            .AddBaseChain(NfFamily.Inet, "t3", "forward", new NfBaseChain(NfChainType.Filter, NfHook.Forward, NfPriority.Filter)));

        var error = Assert.Throws<NetlinkException>(() => client.Commit(new NfBatch()
            .AddRule("t3", "forward", new RuleBuilder(NfFamily.Inet).IifName("lan0").DaddrV4NotIn("nosuchset").Counter().Drop())));

        Assert.True(error.Errno == Errno.ENOENT, $"expected ENOENT, saw {error.Message}");
        Assert.True(error.AttributeOffset is not null, $"expected the kernel to point at an attribute, saw none: {error.Message}");
        Assert.True(error.ExpressionIndex == 5 && error.ExpressionName == "lookup",
            $"expected expression 5 (lookup) from offset {error.AttributeOffset}, saw {error.ExpressionIndex} ({error.ExpressionName}): {error.Message}");
    }
}
