using System.Net;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.Tests.Core;

public sealed class NetlinkReaderTests
{
    [Fact]
    public void Messages_and_nested_attributes_read_back_what_was_written()
    {
        using var writer = new NetlinkWriter();
        var first = writer.BeginMessage(24, NetlinkProtocol.FlagRequest, 7);
        writer.Reserve(12);
        writer.WriteAttribute(1, IPAddress.Parse("198.51.100.0").GetAddressBytes());
        var nest = writer.BeginNested(9);
        writer.WriteString(1, "lan0");
        writer.WriteU32(2, 42);
        writer.EndNested(nest);
        writer.EndMessage(first);
        var second = writer.BeginMessage(NetlinkProtocol.Done, NetlinkProtocol.FlagMulti, 8);
        writer.Reserve(4);
        writer.EndMessage(second);

        var messages = new List<(ushort Type, uint Sequence)>();
        string? name = null;
        uint number = 0;
        IPAddress? address = null;
        foreach (var message in new NetlinkMessageEnumerator(writer.Written))
        {
            messages.Add((message.Type, message.Sequence));
            foreach (var attribute in message.Attributes(12))
            {
                if (attribute.Type == 1)
                {
                    address = attribute.AsAddress();
                }
                else if (attribute.Type == 9)
                {
                    Assert.True(attribute.IsNested);
                    var children = attribute.Nested();
                    Assert.True(children.TryFind(1, out var child));
                    name = child.AsString();
                    Assert.True(attribute.Nested().TryFind(2, out child));
                    number = child.U32;
                }
            }
        }

        Assert.Equal([(24, 7u), (NetlinkProtocol.Done, 8u)], messages);
        Assert.Equal(IPAddress.Parse("198.51.100.0"), address);
        Assert.Equal("lan0", name);
        Assert.Equal(42u, number);
    }

    [Fact]
    public void A_length_past_the_datagram_ends_the_walk_as_malformed()
    {
        var bytes = Hex.Parse("ff000000 1000 0000 01000000 00000000 | 00000000");
        var messages = new NetlinkMessageEnumerator(bytes);
        Assert.False(messages.MoveNext());
        Assert.True(messages.Malformed);
    }

    [Fact]
    public void A_truncated_attribute_ends_the_attribute_walk()
    {
        var attributes = new AttributeEnumerator(Hex.Parse("0800 0100 01000000 | 4000 0200 0000"));
        var seen = 0;
        foreach (var attribute in attributes)
        {
            seen++;
            Assert.Equal(1, attribute.Type);
        }

        Assert.Equal(1, seen);
    }

    [Fact]
    public void A_capped_ack_from_the_kernel_is_an_ack_for_its_request()
    {
        // shared/netlink/golden_rtnl.txt: "ACK (NETLINK_CAP_ACK set)" for `ip rule add fwmark 0x1 lookup 100`.
        var ack = Hex.Parse("24000000 0200 0001 503c076b 2a000000 | 00000000 | 24000000 2000 0506 503c076b 00000000");
        var messages = new NetlinkMessageEnumerator(ack);
        Assert.True(messages.MoveNext());
        Assert.True(NetlinkError.TryParse(messages.Current, out var error));
        Assert.True(error.IsAck);
        Assert.Equal(0x6b073c50u, error.RequestSequence);
        Assert.Equal((ushort)32, error.RequestType);
        Assert.Null(error.Message);
    }

    [Fact]
    public void An_extended_ack_error_carries_errno_text_and_offset()
    {
        // NLMSG_ERROR flags CAPPED|ACK_TLVS: error -17, the echoed header, then MSG "Table exists" and OFFS 20.
        var bytes = Hex.Parse(
            "40000000 0200 0003 05000000 2a000000 | efffffff | 28000000 000a 0502 05000000 00000000 |" +
            "1100 0100 5461626c652065786973747300 000000 | 0800 0200 14000000");
        var messages = new NetlinkMessageEnumerator(bytes);
        Assert.True(messages.MoveNext());
        Assert.True(NetlinkError.TryParse(messages.Current, out var error));
        Assert.Equal(17, error.Errno);
        Assert.Equal(5u, error.RequestSequence);
        Assert.Equal("Table exists", error.Message);
        Assert.Equal(20, error.Offset);
    }

    [Fact]
    public void Exception_text_names_operation_errno_batch_position_and_kernel_reason()
    {
        var error = new NetlinkException("applying kill-switch batch", 95, "Operation not supported",
            attributeOffset: 120, messageIndex: 4, messageDescription: "rule in chain output", expressionIndex: 6, expressionName: "tproxy");
        Assert.Equal(
            "applying kill-switch batch: EOPNOTSUPP (Operation not supported); batch message 4 (rule in chain output), " +
            "expression 6 (tproxy); kernel: Operation not supported",
            error.Message);
        Assert.Equal("EOPNOTSUPP", error.ErrnoName);
    }
}
