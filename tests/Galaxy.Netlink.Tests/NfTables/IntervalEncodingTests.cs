using System.Net;
using System.Net.Sockets;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Netlink.Tests.NfTables;

public sealed class IntervalEncodingTests
{
    private static string Render(IEnumerable<NfSetElement> elements) => string.Join(" | ", elements);

    [Fact]
    public void A_prefix_becomes_a_start_and_an_end_element_after_nfts_leading_zero_end()
    {
        var elements = NfIntervals.FromPrefixes([IPNetwork.Parse("10.0.0.0/8")], AddressFamily.InterNetwork);
        const string expected = "00000000 end | 0a000000 | 0b000000 end";
        Assert.True(Render(elements) == expected, $"expected {expected}, saw {Render(elements)}");
    }

    [Fact]
    public void A_range_reaching_the_top_of_the_space_gets_only_its_start()
    {
        var elements = NfIntervals.FromPrefixes([IPNetwork.Parse("224.0.0.0/3")], AddressFamily.InterNetwork);
        const string expected = "00000000 end | e0000000";
        Assert.True(Render(elements) == expected, $"expected {expected}, saw {Render(elements)}");
    }

    [Fact]
    public void A_range_starting_at_zero_has_no_leading_end_and_overlaps_merge()
    {
        var elements = NfIntervals.FromPrefixes([IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("0.1.0.0/16"), IPNetwork.Parse("1.0.0.0/8")], AddressFamily.InterNetwork);
        const string expected = "00000000 | 02000000 end";
        Assert.True(Render(elements) == expected, $"expected {expected}, saw {Render(elements)}");
    }

    [Fact]
    public void IPv6_prefixes_use_16_byte_keys()
    {
        var elements = NfIntervals.FromPrefixes([IPNetwork.Parse("2001:db8::/32")], AddressFamily.InterNetworkV6);
        var expected = $"{new string('0', 32)} end | 20010db8{new string('0', 24)} | 20010db9{new string('0', 24)} end";
        Assert.True(Render(elements) == expected, $"expected {expected}, saw {Render(elements)}");
    }

    [Fact]
    public void Interval_elements_read_back_as_the_original_prefixes()
    {
        string[] prefixes = ["10.0.0.0/8", "192.168.0.0/16", "198.51.100.0/24", "224.0.0.0/3"];
        var elements = NfIntervals.FromPrefixes(prefixes.Select(IPNetwork.Parse), AddressFamily.InterNetwork);
        elements.Reverse(); // the kernel dumps an rbtree set in descending order
        var back = NfIntervals.ToPrefixes(elements).Select(p => p.ToString()).ToList();
        Assert.True(back.SequenceEqual(prefixes), $"expected {string.Join(", ", prefixes)}, saw {string.Join(", ", back)}");
    }

    [Fact]
    public void The_elements_message_carries_start_then_end_with_interval_end_flag()
    {
        var batch = new NfBatch();
        batch.AddElements(NfFamily.Inet, "galaxy", "bypass4", [IPNetwork.Parse("10.0.0.0/8")]);
        using var writer = new NetlinkWriter();
        batch.Encode(writer, 0);
        const string expected = """
            --- type=0xa0c flags=0x405 seq=1 family=1 len=112
              1: 67616c61787900
              2: 6279706173733400
              3 {
                1 {
                  3: 00000001
                  1 {
                    1: 00000000
                  }
                }
                2 {
                  1 {
                    1: 0a000000
                  }
                }
                3 {
                  3: 00000001
                  1 {
                    1: 0b000000
                  }
                }
              }

            """;
        var text = BatchText.DecodeMessageAt(writer.Written, 20);
        Assert.True(text.EndsWith(expected, StringComparison.Ordinal), $"expected (no SET_ID: the set is not in this batch)\n{expected}\nsaw\n{text}");
    }
}
