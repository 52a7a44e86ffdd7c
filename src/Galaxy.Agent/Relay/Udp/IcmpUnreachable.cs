using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>
/// Builds the "port unreachable" answer to a refused UDP datagram, as pure functions: the ICMP message the
/// original destination would have sent, quoting the client's datagram (rebuilt from its addresses and its
/// first bytes) so the client's kernel can match it to the socket that sent it (a connected socket then
/// reads ECONNREFUSED).
/// <code>
/// ICMPv4 (RFC 792):   u8 type 3, u8 code 3, be16 checksum, u32 unused 0, then the invoking packet:
///   IPv4 header (RFC 791, 20 bytes): 0x45, tos 0, be16 total length, be16 id 0, be16 flags/fragment 0,
///     ttl 64, protocol 17, be16 header checksum, u8 source[4] (client), u8 destination[4]
///   UDP header (RFC 768, 8 bytes): be16 source port, be16 destination port, be16 length, be16 checksum 0
///   the datagram's first bytes
/// ICMPv6 (RFC 4443):  u8 type 1, u8 code 4, be16 checksum (the kernel fills it on an ICMPv6 raw socket),
///   u32 unused 0, then IPv6 header (RFC 8200, 40 bytes): be32 version 6 / class 0 / flow 0,
///     be16 payload length, next header 17, hop limit 64, u8 source[16], u8 destination[16]; UDP header; bytes
/// </code>
/// </summary>
internal static class IcmpUnreachable
{
    /// <summary>How much of the refused datagram is quoted.</summary>
    public const int QuotedPayload = 64;

    /// <summary>The largest message <see cref="Write"/> produces.</summary>
    public const int MaxLength = 8 + 40 + 8 + QuotedPayload;

    /// <summary>
    /// Writes the ICMP message (no outer IP header) into <paramref name="message"/>; returns its length.
    /// <paramref name="datagramLength"/> is the refused datagram's full length, <paramref name="head"/> its first bytes.
    /// </summary>
    public static int Write(Span<byte> message, IPEndPoint client, IPEndPoint destination, int datagramLength, ReadOnlySpan<byte> head)
    {
        if (client.AddressFamily != destination.AddressFamily)
        {
            throw new ArgumentException($"{client} and {destination} are of different address families");
        }

        head = head[..Math.Min(head.Length, QuotedPayload)];
        var v6 = client.AddressFamily == AddressFamily.InterNetworkV6;
        var ipHeader = v6 ? 40 : 20;
        var length = 8 + ipHeader + 8 + head.Length;
        var icmp = message[..length];
        icmp.Clear();
        icmp[0] = (byte)(v6 ? 1 : 3); // destination unreachable
        icmp[1] = (byte)(v6 ? 4 : 3); // port unreachable
        var ip = icmp.Slice(8, ipHeader);
        var udpLength = 8 + datagramLength;
        if (v6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)Math.Min(udpLength, ushort.MaxValue));
            ip[6] = 17;
            ip[7] = 64;
            client.Address.TryWriteBytes(ip.Slice(8, 16), out _);
            destination.Address.TryWriteBytes(ip.Slice(24, 16), out _);
        }
        else
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)Math.Min(20 + udpLength, ushort.MaxValue));
            ip[8] = 64;
            ip[9] = 17;
            client.Address.TryWriteBytes(ip.Slice(12, 4), out _);
            destination.Address.TryWriteBytes(ip.Slice(16, 4), out _);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
        }

        var udp = icmp.Slice(8 + ipHeader, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)client.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)destination.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)Math.Min(udpLength, ushort.MaxValue));
        head.CopyTo(icmp[(8 + ipHeader + 8)..]);
        if (!v6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(icmp));
        }

        return length;
    }

    /// <summary>The Internet checksum (RFC 1071): one's complement of the one's-complement sum of 16-bit words.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> bytes)
    {
        uint sum = 0;
        var i = 0;
        for (; i + 1 < bytes.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        }

        if (i < bytes.Length)
        {
            sum += (uint)bytes[i] << 8;
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
