using System.Net;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Netlink.Tests.NfTables;

public sealed class ExtAckMappingTests
{
    [Fact]
    public void An_ext_ack_offset_inside_an_expression_maps_to_that_expression()
    {
        var batch = GoldenBatchTests.RulesetBatch();
        using var writer = new NetlinkWriter();
        var layout = batch.Encode(writer, 0);
        var rule = layout.Messages[^1]; // rule 2
        var expressions = rule.Expressions ?? throw new Xunit.Sdk.XunitException("expected an expression layout for a rule");
        Assert.Equal(14, expressions.Count);

        // Each expression's range starts at its NFTA_LIST_ELEM; check the bytes there really name it.
        var message = writer.Written[rule.Offset..];
        for (var i = 0; i < expressions.Count; i++)
        {
            var (start, end, name) = expressions[i];
            var nameBytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
            Assert.True(message.Slice(start + 8, nameBytes.Length).SequenceEqual(nameBytes), $"expression {i} should start with NFTA_EXPR_NAME '{name}' at {start}");
            Assert.True(expressions.IndexOf(start) == i && expressions.IndexOf(end - 1) == i && expressions.IndexOf(start + 12) == i,
                $"offsets {start}..{end - 1} should map to expression {i} ({name})");
        }

        // The tproxy expression is the 11th (index 10); an offset inside its data maps there.
        var tproxy = expressions[10];
        Assert.True(tproxy.Name == "tproxy", $"expected expression 10 to be tproxy, saw {tproxy.Name}");
        Assert.True(expressions.IndexOf(tproxy.Start + 24) == 10, "an offset inside tproxy's data should map to it");
        Assert.True(expressions.IndexOf(20) == -1, "the rule's TABLE attribute (offset 20) is no expression");
    }

    [Fact]
    public void A_wrong_hook_expression_is_the_suspect_when_the_kernel_gives_no_offset()
    {
        var batch = new NfBatch()
            .AddTable(NfFamily.Inet, "t")
            .AddBaseChain(NfFamily.Inet, "t", "output", new NfBaseChain(NfChainType.Filter, NfHook.Output, 0))
            .AddRule("t", "output", new RuleBuilder(NfFamily.Inet).L4Proto(6).SocketTransparent().TproxyV4(IPAddress.Loopback, 1).Drop());
        using var writer = new NetlinkWriter();
        var layout = batch.Encode(writer, 0);
        var suspect = layout.Messages[2].Expressions!.HookSuspect;
        Assert.True(suspect == 6, $"expected tproxy (expression 6) as the suspect in an output chain (socket is fine there), saw {suspect}");
    }

    [Fact]
    public void Only_the_last_real_message_asks_for_an_ack()
    {
        using var writer = new NetlinkWriter();
        GoldenBatchTests.RulesetBatch().Encode(writer, 0);
        var acked = new List<uint>();
        foreach (var message in new NetlinkMessageEnumerator(writer.Written))
        {
            if ((message.Flags & NetlinkProtocol.FlagAck) != 0)
            {
                acked.Add(message.Sequence);
            }
        }

        Assert.True(acked.SequenceEqual([9u]), $"expected only seq 9 (the last rule) to carry NLM_F_ACK, saw [{string.Join(", ", acked)}]");
    }

    [Fact]
    public void A_generation_id_rides_in_batch_begin()
    {
        using var writer = new NetlinkWriter();
        new NfBatch().AddTable(NfFamily.Inet, "t").Encode(writer, 0, generation: 0x01020304);
        Assert.True(Convert.ToHexStringLower(writer.Written[..28]) == "1c000000" + "1000" + "0100" + "00000000" + "00000000" + "0000000a" + "08000100" + "01020304",
            $"expected BEGIN with NFNL_BATCH_GENID 01020304, saw {Convert.ToHexStringLower(writer.Written[..28])}");
    }
}
