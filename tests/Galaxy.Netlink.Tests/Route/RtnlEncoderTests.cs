using System.Buffers.Binary;
using System.Net;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.Route;

namespace Galaxy.Netlink.Tests.Route;

/// <summary>The requests iproute2's golden set does not cover, checked field by field.</summary>
public sealed class RtnlEncoderTests
{
    [Fact]
    public void Veth_creation_nests_the_peer_with_its_namespace_fd()
    {
        using var writer = new NetlinkWriter();
        LinkMessages.WriteCreateVeth(writer, 7, "va", "vb", peerNamespaceFd: 42);
        var message = Single(writer);

        Assert.True(message.Type == RtnlProtocol.NewLink, $"expected NEWLINK; saw type {message.Type}");
        const ushort create = NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck | NetlinkProtocol.FlagExclusive | NetlinkProtocol.FlagCreate;
        Assert.True(message.Flags == create, $"expected flags 0x{create:x}; saw 0x{message.Flags:x}");
        var attributes = message.Attributes(RtnlProtocol.IfInfoLength);
        Assert.True(attributes.TryFind(RtnlProtocol.LinkName, out var name) && name.AsString() == "va", "expected IFLA_IFNAME va");
        Assert.True(attributes.TryFind(RtnlProtocol.LinkInfo, out var linkInfo) && linkInfo.IsNested, "expected IFLA_LINKINFO with NLA_F_NESTED");
        var info = linkInfo.Nested();
        Assert.True(info.TryFind(RtnlProtocol.InfoKind, out var kind) && kind.AsString() == "veth", "expected IFLA_INFO_KIND veth");
        Assert.True(info.TryFind(RtnlProtocol.InfoData, out var data) && data.IsNested, "expected IFLA_INFO_DATA with NLA_F_NESTED");
        Assert.True(data.Nested().TryFind(RtnlProtocol.VethPeer, out var peer), "expected VETH_INFO_PEER");
        Assert.True(peer.Payload.Length > RtnlProtocol.IfInfoLength, "expected an ifinfomsg and attributes inside VETH_INFO_PEER");
        Assert.True(peer.Payload[..RtnlProtocol.IfInfoLength].IndexOfAnyExcept((byte)0) < 0, "expected the peer's ifinfomsg all zero");
        var peerAttributes = new AttributeEnumerator(peer.Payload[RtnlProtocol.IfInfoLength..]);
        Assert.True(peerAttributes.TryFind(RtnlProtocol.LinkName, out var peerName) && peerName.AsString() == "vb", "expected the peer's IFLA_IFNAME vb");
        Assert.True(peerAttributes.TryFind(RtnlProtocol.LinkNetNsFd, out var fd) && fd.U32 == 42, "expected the peer's IFLA_NET_NS_FD 42");
    }

    [Fact]
    public void Setting_the_mtu_by_name_sends_the_name_and_IFLA_MTU()
    {
        using var writer = new NetlinkWriter();
        LinkMessages.WriteSetMtu(writer, 1, 0, "va", 1280);
        var message = Single(writer);
        var attributes = message.Attributes(RtnlProtocol.IfInfoLength);
        Assert.True(attributes.TryFind(RtnlProtocol.LinkName, out var name) && name.AsString() == "va", "expected IFLA_IFNAME va");
        Assert.True(attributes.TryFind(RtnlProtocol.LinkMtu, out var mtu) && mtu.U32 == 1280, "expected IFLA_MTU 1280");
    }

    [Fact]
    public void An_IPv6_address_is_added_without_duplicate_address_detection()
    {
        using var writer = new NetlinkWriter();
        AddressMessages.Write(writer, 1, add: true, 4, IPAddress.Parse("2001:db8::1"), 64);
        var message = Single(writer);
        var header = message.Payload;
        Assert.True(header[0] == 10 && header[1] == 64 && header[2] == RtnlProtocol.AddressNoDad && BinaryPrimitives.ReadInt32LittleEndian(header[4..]) == 4,
            $"expected ifaddrmsg {{10, 64, NODAD, 0, 4}}; saw {Convert.ToHexString(header[..8])}");
        Assert.True(message.Attributes(RtnlProtocol.IfAddrLength).TryFind(RtnlProtocol.AddressLocal, out var local) && local.AsAddress().Equals(IPAddress.Parse("2001:db8::1")),
            "expected IFA_LOCAL 2001:db8::1");
    }

    [Fact]
    public void A_route_delete_matches_any_protocol_and_scope()
    {
        using var writer = new NetlinkWriter();
        var route = new RouteSpec { Family = IpFamily.IPv4, Destination = IPNetwork.Parse("203.0.113.0/24"), OutputInterface = 3, Table = 100 };
        RouteMessages.Write(writer, 1, RouteMessages.Operation.Delete, route);
        var message = Single(writer);
        Assert.True(message.Type == RtnlProtocol.DeleteRoute && message.Flags == (NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck),
            $"expected DELROUTE REQUEST|ACK; saw type {message.Type} flags 0x{message.Flags:x}");
        Assert.True(message.Payload[5] == 0 && message.Payload[6] == (byte)RouteScope.Nowhere,
            $"expected protocol 0 and scope NOWHERE; saw {message.Payload[5]} and {message.Payload[6]}");
    }

    [Fact]
    public void A_replace_sends_create_and_replace_and_a_device_route_gets_link_scope()
    {
        using var writer = new NetlinkWriter();
        var route = new RouteSpec { Family = IpFamily.IPv4, Destination = IPNetwork.Parse("203.0.113.0/24"), OutputInterface = 3 };
        RouteMessages.Write(writer, 1, RouteMessages.Operation.Replace, route);
        var message = Single(writer);
        const ushort replace = NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck | NetlinkProtocol.FlagCreate | NetlinkProtocol.FlagReplace;
        Assert.True(message.Flags == replace, $"expected flags 0x{replace:x}; saw 0x{message.Flags:x}");
        Assert.True(message.Payload[4] == 254 && message.Payload[6] == (byte)RouteScope.Link,
            $"expected table main in the header and scope LINK; saw table {message.Payload[4]} scope {message.Payload[6]}");
    }

    [Fact]
    public void A_rule_with_every_selector_encodes_each_attribute()
    {
        using var writer = new NetlinkWriter();
        var rule = new RuleSpec
        {
            Family = IpFamily.IPv4,
            Priority = 100,
            Fwmark = 0x100,
            FwMask = 0xff00,
            IifName = "lan0",
            OifName = "wan0",
            Source = IPNetwork.Parse("198.51.100.0/24"),
            Destination = IPNetwork.Parse("203.0.113.0/25"),
            Table = 300,
        };
        RuleMessages.Write(writer, 1, add: true, rule);
        var message = Single(writer);
        var header = message.Payload;
        Assert.True(header[0] == 2 && header[1] == 25 && header[2] == 24 && header[4] == 0 && header[7] == 1,
            $"expected fib_rule_hdr {{2, dst 25, src 24, table 0, action TO_TBL}}; saw {Convert.ToHexString(header[..12])}");
        var attributes = message.Attributes(RtnlProtocol.FibRuleLength);
        Assert.True(attributes.TryFind(RtnlProtocol.RulePriority, out var priority) && priority.U32 == 100, "expected FRA_PRIORITY 100");
        Assert.True(attributes.TryFind(RtnlProtocol.RuleFwmark, out var mark) && mark.U32 == 0x100, "expected FRA_FWMARK 0x100");
        Assert.True(attributes.TryFind(RtnlProtocol.RuleFwmask, out var mask) && mask.U32 == 0xff00, "expected FRA_FWMASK 0xff00");
        Assert.True(attributes.TryFind(RtnlProtocol.RuleInputInterface, out var iif) && iif.AsString() == "lan0", "expected FRA_IIFNAME lan0");
        Assert.True(attributes.TryFind(RtnlProtocol.RuleOutputInterface, out var oif) && oif.AsString() == "wan0", "expected FRA_OIFNAME wan0");
        Assert.True(attributes.TryFind(RtnlProtocol.RuleSource, out var src) && src.AsAddress().Equals(IPAddress.Parse("198.51.100.0")), "expected FRA_SRC 198.51.100.0");
        Assert.True(attributes.TryFind(RtnlProtocol.RuleDestination, out var dst) && dst.AsAddress().Equals(IPAddress.Parse("203.0.113.0")), "expected FRA_DST 203.0.113.0");
        Assert.True(attributes.TryFind(RtnlProtocol.RuleTable, out var table) && table.U32 == 300, "expected FRA_TABLE 300");
    }

    [Fact]
    public void Dump_requests_carry_the_dump_flag_and_the_family()
    {
        using var writer = new NetlinkWriter();
        RouteMessages.WriteDump(writer, 1, IpFamily.IPv6);
        RuleMessages.WriteDump(writer, 2, IpFamily.IPv4);
        AddressMessages.WriteDump(writer, 3, IpFamily.IPv6);
        LinkMessages.WriteDump(writer, 4);
        var seen = new List<string>();
        foreach (var message in new NetlinkMessageEnumerator(writer.Written))
        {
            seen.Add($"{message.Type}/{message.Flags:x}/{message.Payload[0]}");
        }

        string[] expected = ["26/301/10", "34/301/2", "22/301/10", "18/301/0"];
        Assert.True(expected.SequenceEqual(seen), $"expected type/flags/family {string.Join(", ", expected)}; saw {string.Join(", ", seen)}");
    }

    private static NetlinkMessage Single(NetlinkWriter writer)
    {
        var enumerator = new NetlinkMessageEnumerator(writer.Written);
        Assert.True(enumerator.MoveNext(), "expected one message");
        var message = enumerator.Current;
        Assert.False(enumerator.MoveNext(), "expected exactly one message");
        return message;
    }
}
