using System.Buffers.Binary;
using System.Net;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Netlink.Tests.NfTables;

/// <summary>
/// The ruleset of shared/netlink/ruleset.nft, built with the batch and rule-builder API, against the
/// bytes nft 1.0.6 sent for it (golden_nft_batch.bin, captured with strace).
/// </summary>
public sealed class GoldenBatchTests
{
    /// <summary>Builds ruleset.nft: table inet galaxy, set bypass4, chains prerouting/forward, two rules.</summary>
    internal static NfBatch RulesetBatch()
    {
        var batch = new NfBatch();
        batch.AddTable(NfFamily.Inet, "galaxy");
        batch.AddBaseChain(NfFamily.Inet, "galaxy", "prerouting", new NfBaseChain(NfChainType.Filter, NfHook.Prerouting, NfPriority.Mangle, NfChainPolicy.Accept));
        batch.AddBaseChain(NfFamily.Inet, "galaxy", "forward", new NfBaseChain(NfChainType.Filter, NfHook.Forward, NfPriority.Filter, NfChainPolicy.Drop));
        batch.AddSet(NfFamily.Inet, "galaxy", "bypass4", NfSetKeyType.IPv4Address, interval: true);
        batch.AddElements(NfFamily.Inet, "galaxy", "bypass4", [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.0.0/16")]);
        batch.AddRule("galaxy", "prerouting", new RuleBuilder(NfFamily.Inet)
            .L4Proto(RuleBuilder.Tcp).SocketTransparent().SetMark(1).Accept());
        batch.AddRule("galaxy", "prerouting", new RuleBuilder(NfFamily.Inet)
            .IifName("lan0").L4ProtoIn(RuleBuilder.Tcp, RuleBuilder.Udp).DaddrV4NotIn("bypass4")
            .TproxyV4(IPAddress.Loopback, 15001).SetMark(1).Accept());
        return batch;
    }

    [Fact]
    public void The_ruleset_batch_matches_what_nft_sent_byte_for_byte()
    {
        var golden = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "NfTables", "Fixtures", "golden_nft_batch.bin"));
        using var writer = new NetlinkWriter();
        // Start at another sequence on purpose: the comparison must not depend on it.
        var layout = RulesetBatch().Encode(writer, firstSequence: 500);
        var ours = writer.Written.ToArray();

        Assert.True(golden.Length == ours.Length,
            $"expected {golden.Length} bytes as nft sent, saw {ours.Length}\n--- nft:\n{BatchText.Decode(golden)}\n--- ours:\n{BatchText.Decode(ours)}");
        Assert.Equal(9, layout.Messages.Count);

        // Masking: nft numbers its batch 0..10 and sets no ACK anywhere; we number from the socket's counter
        // and set NLM_F_ACK (0x4) on the last real message only (so a huge batch cannot overflow the
        // receive buffer). So in every message header zero the seq field (bytes 8..11) and clear the ACK
        // bit of the flags (bytes 6..7) in both buffers; every other byte must be equal.
        var lastFlags = BinaryPrimitives.ReadUInt16LittleEndian(ours.AsSpan(layout.Messages[^1].Offset + 6));
        Assert.True((lastFlags & NetlinkProtocol.FlagAck) != 0, $"expected ACK on the last rule message, flags were 0x{lastFlags:x}");
        Normalize(golden);
        Normalize(ours);

        for (var i = 0; i < golden.Length; i++)
        {
            if (golden[i] != ours[i])
            {
                Assert.Fail($"byte {i} differs: nft 0x{golden[i]:x2}, ours 0x{ours[i]:x2}\n--- nft {BatchText.DecodeMessageAt(golden, i)}\n--- ours {BatchText.DecodeMessageAt(ours, i)}");
            }
        }
    }

    [Fact]
    public void The_ruleset_batch_carries_the_nft_commands_in_order()
    {
        var commands = RulesetBatch().Commands;
        Assert.True(commands[0] == "add table inet galaxy", $"expected 'add table inet galaxy' first, saw '{commands[0]}'");
        Assert.Contains(commands, c => c.Contains("iifname \"lan0\" meta l4proto { tcp, udp } ip daddr != @bypass4 tproxy ip to 127.0.0.1:15001 meta mark set 0x1 accept", StringComparison.Ordinal));
    }

    private static void Normalize(byte[] batch)
    {
        var offset = 0;
        while (offset + 16 <= batch.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(offset));
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(batch.AsSpan(offset + 6));
            BinaryPrimitives.WriteUInt16LittleEndian(batch.AsSpan(offset + 6), (ushort)(flags & ~NetlinkProtocol.FlagAck));
            BinaryPrimitives.WriteUInt32LittleEndian(batch.AsSpan(offset + 8), 0);
            offset += (length + 3) & ~3;
        }
    }
}
