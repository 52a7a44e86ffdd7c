using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.Tests.Core;

public sealed class NetlinkWriterTests
{
    [Fact]
    public void Message_header_carries_length_type_flags_sequence_and_pid_zero()
    {
        using var writer = new NetlinkWriter();
        var start = writer.BeginMessage(type: 0x20, flags: 0x0605, sequence: 0x6b073c50);
        writer.Reserve(12);
        writer.EndMessage(start);

        // nlmsghdr { len 28, type 32, flags 0x605, seq, pid 0 } + 12 zero bytes
        Hex.AssertEqual(Hex.Parse("1c000000 2000 0506 503c076b 00000000 | 000000000000000000000000"), writer.Written);
    }

    [Fact]
    public void Attributes_are_padded_to_four_bytes_but_their_length_excludes_the_padding()
    {
        using var writer = new NetlinkWriter();
        writer.WriteU8(7, 0x06);
        writer.WriteString(3, "va");
        writer.WriteU32(29, 9);

        // nlattr { len 5, type 7 } 06 + 3 pad | { len 7, type 3 } "va\0" + 1 pad | { len 8, type 29 } 09000000
        Hex.AssertEqual(Hex.Parse("0500 0700 06 000000 | 0700 0300 766100 00 | 0800 1d00 09000000"), writer.Written);
    }

    [Fact]
    public void Nested_attributes_set_the_nested_flag_and_span_their_children()
    {
        using var writer = new NetlinkWriter();
        var outer = writer.BeginNested(4);
        writer.WriteU32BigEndian(1, 0);
        writer.WriteU32BigEndian(2, unchecked((uint)-150));
        writer.EndNested(outer);

        // { len 20, type 4|NLA_F_NESTED } { 1: 00000000 } { 2: ffffff6a } — the hook nest of a mangle chain
        Hex.AssertEqual(Hex.Parse("1400 0480 | 0800 0100 00000000 | 0800 0200 ffffff6a"), writer.Written);
    }

    [Fact]
    public void Big_endian_and_host_order_integers_differ_only_in_byte_order()
    {
        using var writer = new NetlinkWriter();
        writer.WriteU32(1, 0x100);
        writer.WriteU32BigEndian(1, 0x100);
        writer.WriteU16BigEndian(2, 15001);
        writer.WriteU64BigEndian(3, 1);
        Hex.AssertEqual(
            Hex.Parse("0800 0100 00010000 | 0800 0100 00000100 | 0600 0200 3a99 0000 | 0c00 0300 0000000000000001"),
            writer.Written);
    }

    [Fact]
    public void Reset_reuses_the_buffer_and_growth_keeps_what_was_written()
    {
        using var writer = new NetlinkWriter(initialCapacity: 16);
        writer.WriteString(1, new string('x', 5000));
        Assert.Equal(NetlinkProtocol.Align(4 + 5001), writer.Length);
        Assert.Equal((byte)'x', writer.Written[4]);
        Assert.Equal((byte)'x', writer.Written[5003]);
        Assert.Equal(0, writer.Written[5004]);

        writer.Reset();
        writer.WriteU8(2, 1);
        Assert.Equal(8, writer.Length);
    }

    [Fact]
    public void A_nest_larger_than_64_KiB_is_refused_with_the_reason()
    {
        using var writer = new NetlinkWriter();
        var nest = writer.BeginNested(3);
        var chunk = new byte[1000];
        for (var i = 0; i < 70; i++)
        {
            writer.WriteAttribute(1, chunk);
        }

        var error = Assert.Throws<InvalidOperationException>(() => writer.EndNested(nest));
        Assert.Contains("split it across messages", error.Message, StringComparison.Ordinal);
    }
}
