using System.Net;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Netlink.Tests.NfTables;

public sealed class RuleBuilderTests
{
    private static string Debug(NfRule rule) => string.Join("\n", rule.Expressions.Select(e => "[ " + e + " ]"));

    [Fact]
    public void An_ip_match_in_an_inet_table_adds_nfproto_once_and_tcp_ports_add_l4proto_once_and_merge_like_nft()
    {
        var rule = new RuleBuilder(NfFamily.Inet).SaddrV4(IPNetwork.Parse("198.51.100.0/24")).DaddrV4(IPAddress.Parse("203.0.113.1"))
            .TcpSport(1).TcpDport(443).Accept().Build();
        const string expected = """
            [ meta load nfproto => reg 1 ]
            [ cmp eq reg 1 0x00000002 ]
            [ payload load 3b @ network header + 12 => reg 1 ]
            [ cmp eq reg 1 0x006433c6 ]
            [ payload load 4b @ network header + 16 => reg 1 ]
            [ cmp eq reg 1 0x017100cb ]
            [ meta load l4proto => reg 1 ]
            [ cmp eq reg 1 0x00000006 ]
            [ payload load 4b @ transport header + 0 => reg 1 ]
            [ cmp eq reg 1 0xbb010100 ]
            [ immediate reg 0 accept ]
            """;
        Assert.True(Debug(rule) == expected, $"expected\n{expected}\nsaw\n{Debug(rule)}");
        Assert.True(rule.Text == "ip saddr 198.51.100.0/24 ip daddr 203.0.113.1 tcp sport 1 tcp dport 443 accept", $"unexpected nft text '{rule.Text}'");
    }

    [Fact]
    public void An_ip_table_needs_no_nfproto_and_refuses_ipv6_matches()
    {
        var rule = new RuleBuilder(NfFamily.IPv4).DaddrV4(IPAddress.Parse("192.0.2.1")).Drop().Build();
        Assert.True(rule.Expressions[0] is PayloadExpression, $"expected the payload load first in an ip table, saw {rule.Expressions[0]}");
        var error = Assert.Throws<InvalidOperationException>(() => new RuleBuilder(NfFamily.IPv4).DaddrV6(IPAddress.Parse("2001:db8::1")));
        Assert.Contains("IPv6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Interface_names_are_padded_to_16_bytes_and_wildcards_send_only_the_prefix()
    {
        Assert.Equal("6c616e3000000000000000000000000000"[..32], Convert.ToHexStringLower(NfKey.InterfaceName("lan0")));
        Assert.Equal("6c616e", Convert.ToHexStringLower(NfKey.InterfaceName("lan*")));
        Assert.Throws<ArgumentException>(() => NfKey.InterfaceName("a-name-far-too-long"));
    }

    [Fact]
    public void An_explicit_anonymous_set_is_looked_up_by_its_batch_id()
    {
        var batch = new NfBatch().AddTable(NfFamily.Inet, "t");
        var protocols = batch.AddAnonymousSet(NfFamily.Inet, "t", new NfAnonymousSet(NfSetKeyType.InetProtocol, [NfKey.Protocol(6), NfKey.Protocol(17)]));
        batch.AddRule("t", "c", new RuleBuilder(NfFamily.Inet).L4ProtoIn(protocols).Accept());
        using var writer = new NetlinkWriter();
        var layout = batch.Encode(writer, 0);

        Assert.True(protocols.Id == 1 && protocols.Name == "__set%d", $"expected __set%d with id 1, saw {protocols}");
        Assert.True(layout.Messages.Count == 4, $"expected table, set, elements, rule; saw {string.Join(" / ", layout.Messages.Select(m => m.Description))}");
        var rule = BatchText.DecodeMessageAt(writer.Written, layout.Messages[3].Offset);
        Assert.Contains("        2: 00000001\n        1: 5f5f736574256400\n        4: 00000001\n", rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Tproxy_port_only_loads_the_port_into_register_1()
    {
        var rule = new RuleBuilder(NfFamily.Inet).L4Proto(RuleBuilder.Tcp).TproxyPort(15001).Build();
        Assert.EndsWith("[ immediate reg 1 0x0000993a ]\n[ tproxy port reg 1 ]", Debug(rule), StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_is_never_owned_unless_asked()
    {
        using var writer = new NetlinkWriter();
        new NfBatch().AddTable(NfFamily.Inet, "galaxy").Encode(writer, 0);
        Assert.Contains("  2: 00000000\n", BatchText.Decode(writer.Written), StringComparison.Ordinal);
        writer.Reset();
        new NfBatch().AddTable(NfFamily.Inet, "helper", owner: true).Encode(writer, 0);
        Assert.Contains("  2: 00000002\n", BatchText.Decode(writer.Written), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6, true, "0004020000000314000407000000010c000408000000010402000000")]   // tcp dport { 80, 443 } (strace of nft 1.0.6)
    [InlineData(17, false, "0004020000000314000407000000010c000406000000010401000000")] // udp sport { 80, 443 }
    public void An_anonymous_port_set_carries_nfts_typeof_userdata(byte protocol, bool destination, string expected)
    {
        var rule = protocol == 6
            ? new RuleBuilder(NfFamily.Inet).TcpDportIn(80, 443).Accept()
            : new RuleBuilder(NfFamily.Inet).UdpSportIn(80, 443).Accept();
        using var writer = new NetlinkWriter();
        new NfBatch().AddRule("t", "c", rule).Encode(writer, 0);
        var set = BatchText.DecodeMessageAt(writer.Written, 20);
        Assert.True(set.Contains($"  13: {expected}\n", StringComparison.Ordinal) && set.Contains("  9 {\n    1: 00000002\n  }", StringComparison.Ordinal),
            $"expected USERDATA {expected} and DESC SIZE 2 (destination={destination}), saw\n{set}");
    }
}
