using System.Buffers.Binary;
using System.Net;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Netlink.Tests.NfTables;

public sealed class ElementSplittingTests
{
    [Fact]
    public void A_set_of_50000_prefixes_is_split_so_no_element_nest_reaches_64_KiB()
    {
        var prefixes = Enumerable.Range(0, 50_000)
            .Select(i => new IPNetwork(new IPAddress(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((uint)(0x0a000000 + (i * 256))))), 24))
            .Where((_, i) => i % 2 == 0) // not adjacent, so they do not merge
            .Concat(Enumerable.Range(0, 25_000).Select(i => new IPNetwork(new IPAddress(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((uint)(0x20000000 + (i * 512))))), 24)))
            .ToList();
        Assert.Equal(50_000, prefixes.Count);

        var batch = new NfBatch();
        batch.AddSet(NfFamily.Inet, "galaxy", "bypass4", NfSetKeyType.IPv4Address, interval: true);
        batch.AddElements(NfFamily.Inet, "galaxy", "bypass4", prefixes);
        using var writer = new NetlinkWriter();
        var layout = batch.Encode(writer, 0);

        var elementMessages = 0;
        var elements = 0;
        foreach (var message in new NetlinkMessageEnumerator(writer.Written))
        {
            if (message.Type != ((10 << 8) | 12))
            {
                continue;
            }

            elementMessages++;
            Assert.True(message.Payload.Length + 16 < 65536, $"expected each NEWSETELEM below 64 KiB, one was {message.Payload.Length + 16} bytes");
            Assert.True(message.Attributes(4).TryFind(4, out var setId) && setId.U32BigEndian == 1, "expected every part to carry SET_ID 1");
            Assert.True(message.Attributes(4).TryFind(3, out var list), "expected an element list");
            foreach (var _ in list.Nested())
            {
                elements++;
            }
        }

        Assert.True(elementMessages > 1, $"expected the elements split across several messages, saw {elementMessages}");
        // 50 000 separate prefixes: a start and an end each, plus nft's leading 0.0.0.0 END.
        Assert.True(elements == 100_001, $"expected 100001 elements in total, saw {elements}");
        Assert.True(layout.Messages.Count == elementMessages + 1, $"expected NEWSET plus {elementMessages} parts, saw {layout.Messages.Count} messages");
        Assert.Contains("(part 1 of", layout.Messages[1].Description, StringComparison.Ordinal);
    }
}
