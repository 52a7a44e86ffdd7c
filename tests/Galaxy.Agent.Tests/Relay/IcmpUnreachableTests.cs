using System.Buffers.Binary;
using System.Net;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Tests.Relay;

public sealed class IcmpUnreachableTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("198.51.100.2"), 40000);
    private static readonly IPEndPoint Destination = new(IPAddress.Parse("203.0.113.10"), 53);

    [Fact]
    public void An_ipv4_port_unreachable_quotes_the_datagram_with_valid_checksums()
    {
        var message = new byte[IcmpUnreachable.MaxLength];
        var payload = "hello"u8.ToArray();

        var length = IcmpUnreachable.Write(message, Client, Destination, payload.Length, payload);

        var icmp = message.AsSpan(0, length);
        Assert.Equal(8 + 20 + 8 + 5, length);
        Assert.Equal((3, 3), (icmp[0], icmp[1]));
        Assert.True(IcmpUnreachable.Checksum(icmp) == 0, "the ICMP checksum must verify");
        var ip = icmp.Slice(8, 20);
        Assert.Equal(0x45, ip[0]);
        Assert.Equal(20 + 8 + 5, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
        Assert.Equal(17, ip[9]);
        Assert.True(IcmpUnreachable.Checksum(ip) == 0, "the quoted IP header's checksum must verify");
        Assert.Equal(Client.Address, new IPAddress(ip.Slice(12, 4)));
        Assert.Equal(Destination.Address, new IPAddress(ip.Slice(16, 4)));
        var udp = icmp.Slice(28, 8);
        Assert.Equal((40000, 53, 13), (BinaryPrimitives.ReadUInt16BigEndian(udp), BinaryPrimitives.ReadUInt16BigEndian(udp[2..]), BinaryPrimitives.ReadUInt16BigEndian(udp[4..])));
        Assert.Equal("hello"u8.ToArray(), icmp[36..].ToArray());
    }

    [Fact]
    public void An_ipv6_port_unreachable_quotes_the_datagram_and_leaves_the_checksum_to_the_kernel()
    {
        var client = new IPEndPoint(IPAddress.Parse("2001:db8:100::2"), 40000);
        var destination = new IPEndPoint(IPAddress.Parse("2001:db8:113::10"), 53);
        var message = new byte[IcmpUnreachable.MaxLength];
        var payload = new byte[200];

        var length = IcmpUnreachable.Write(message, client, destination, payload.Length, payload);

        Assert.Equal(8 + 40 + 8 + IcmpUnreachable.QuotedPayload, length);
        Assert.Equal((1, 4, 0), (message[0], message[1], BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2))));
        Assert.Equal(0x60, message[8]);
        Assert.Equal(8 + 200, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(12)));
        Assert.Equal(17, message[14]);
        Assert.Equal(client.Address, new IPAddress(message.AsSpan(16, 16)));
        Assert.Equal(destination.Address, new IPAddress(message.AsSpan(32, 16)));
        Assert.Equal(53, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(50)));
    }

    [Fact]
    public void The_checksum_is_the_rfc_1071_example()
    {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), checksum 220d.
        Assert.Equal(0x220d, IcmpUnreachable.Checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
    }
}
