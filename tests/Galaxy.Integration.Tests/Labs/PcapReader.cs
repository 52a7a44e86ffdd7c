using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// Decodes a classic pcap file (what <c>tcpdump -w</c> writes) into <see cref="CapturedPacket"/>s.
/// </summary>
/// <remarks>
/// File header (24 bytes): magic u32 (0xa1b2c3d4 µs or 0xa1b23c4d ns, in the writer's byte order),
/// version 2.4 (u16 u16), thiszone i32, sigfigs u32, snaplen u32, linktype u32.
/// Record header (16 bytes): ts_sec u32, ts_frac u32, incl_len u32, orig_len u32, then incl_len bytes.
/// Link types: 1 Ethernet (ethertype at 12, 802.1Q tags skipped), 113 Linux cooked v1 (protocol at 14,
/// 16-byte header), 276 Linux cooked v2 (protocol at 0, 20-byte header), 101/12 raw IP.
/// </remarks>
public static class PcapReader
{
    private const uint MagicMicros = 0xa1b2c3d4;
    private const uint MagicNanos = 0xa1b23c4d;

    /// <summary>Reads a complete file; a truncated record is an error.</summary>
    public static IReadOnlyList<CapturedPacket> Read(ReadOnlySpan<byte> file) => Read(file, allowPartialTail: false);

    /// <summary>Reads a file that is still being written: a partial last record is left for later.</summary>
    public static IReadOnlyList<CapturedPacket> ReadPrefix(ReadOnlySpan<byte> file) => Read(file, allowPartialTail: true);

    private static List<CapturedPacket> Read(ReadOnlySpan<byte> file, bool allowPartialTail)
    {
        if (file.Length < 24)
        {
            throw new FormatException($"pcap file of {file.Length} bytes has no complete header");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool littleEndian;
        bool nanos;
        if (magic is MagicMicros or MagicNanos)
        {
            littleEndian = true;
            nanos = magic == MagicNanos;
        }
        else
        {
            magic = BinaryPrimitives.ReadUInt32BigEndian(file);
            if (magic is not (MagicMicros or MagicNanos))
            {
                throw new FormatException($"not a pcap file: magic 0x{BinaryPrimitives.ReadUInt32LittleEndian(file):x8}");
            }

            littleEndian = false;
            nanos = magic == MagicNanos;
        }

        var linkType = U32(file[20..], littleEndian);
        var packets = new List<CapturedPacket>();
        var offset = 24;
        while (offset + 16 <= file.Length)
        {
            var record = file[offset..];
            long seconds = U32(record, littleEndian);
            long fraction = U32(record[4..], littleEndian);
            var included = (int)U32(record[8..], littleEndian);
            if (included < 0 || offset + 16 + included > file.Length)
            {
                if (allowPartialTail)
                {
                    break;
                }

                throw new FormatException($"pcap record at offset {offset} claims {included} bytes past the end of the file");
            }

            var ticks = nanos ? fraction / 100 : fraction * 10;
            var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(ticks);
            packets.Add(DecodeFrame(time, linkType, record.Slice(16, included)));
            offset += 16 + included;
        }

        return packets;
    }

    private static uint U32(ReadOnlySpan<byte> bytes, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);

    private static CapturedPacket DecodeFrame(DateTimeOffset time, uint linkType, ReadOnlySpan<byte> frame)
    {
        ushort etherType;
        ReadOnlySpan<byte> network;
        switch (linkType)
        {
            case 1: // Ethernet
                if (frame.Length < 14)
                {
                    return NonIp(time, 0);
                }

                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                var headerEnd = 14;
                while (etherType is 0x8100 or 0x88a8 && frame.Length >= headerEnd + 4)
                {
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(headerEnd + 2)..]);
                    headerEnd += 4;
                }

                network = frame[headerEnd..];
                break;
            case 113: // Linux cooked capture v1
                if (frame.Length < 16)
                {
                    return NonIp(time, 0);
                }

                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                network = frame[16..];
                break;
            case 276: // Linux cooked capture v2
                if (frame.Length < 20)
                {
                    return NonIp(time, 0);
                }

                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame);
                network = frame[20..];
                break;
            case 12 or 101: // raw IP: the version nibble says which
                etherType = frame.Length > 0 && frame[0] >> 4 == 6 ? (ushort)0x86dd : (ushort)0x0800;
                network = frame;
                break;
            default:
                throw new FormatException($"pcap link type {linkType} is not supported");
        }

        return etherType switch
        {
            0x0800 => DecodeIPv4(time, network),
            0x86dd => DecodeIPv6(time, network),
            _ => NonIp(time, etherType),
        };
    }

    private static CapturedPacket NonIp(DateTimeOffset time, ushort etherType) =>
        new(time, etherType, null, null, ProtocolType.Unknown, 0, 0, TcpFlags.None, 0);

    private static CapturedPacket DecodeIPv4(DateTimeOffset time, ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 20 || ip[0] >> 4 != 4)
        {
            return NonIp(time, 0x0800);
        }

        var headerLength = (ip[0] & 0x0f) * 4;
        var totalLength = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(ip[2..]), ip.Length);
        var fragmentOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1fff;
        var protocol = (ProtocolType)ip[9];
        var source = new IPAddress(ip.Slice(12, 4));
        var destination = new IPAddress(ip.Slice(16, 4));
        var payload = headerLength <= totalLength ? ip[headerLength..totalLength] : [];
        return fragmentOffset == 0
            ? DecodeTransport(time, 0x0800, source, destination, protocol, payload)
            : new CapturedPacket(time, 0x0800, source, destination, protocol, 0, 0, TcpFlags.None, payload.Length);
    }

    private static CapturedPacket DecodeIPv6(DateTimeOffset time, ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 40 || ip[0] >> 4 != 6)
        {
            return NonIp(time, 0x86dd);
        }

        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        var next = ip[6];
        var source = new IPAddress(ip.Slice(8, 16));
        var destination = new IPAddress(ip.Slice(24, 16));
        var rest = ip.Slice(40, Math.Min(payloadLength, ip.Length - 40));

        // Walk hop-by-hop (0), routing (43), fragment (44) and destination-options (60) headers.
        while (next is 0 or 43 or 44 or 60 && rest.Length >= 8)
        {
            var length = next == 44 ? 8 : (rest[1] + 1) * 8;
            if (next == 44 && (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) & 0xfff8) != 0)
            {
                return new CapturedPacket(time, 0x86dd, source, destination, (ProtocolType)rest[0], 0, 0, TcpFlags.None, rest.Length - 8);
            }

            next = rest[0];
            rest = length <= rest.Length ? rest[length..] : [];
        }

        return DecodeTransport(time, 0x86dd, source, destination, (ProtocolType)next, rest);
    }

    private static CapturedPacket DecodeTransport(
        DateTimeOffset time, ushort etherType, IPAddress source, IPAddress destination, ProtocolType protocol, ReadOnlySpan<byte> segment)
    {
        switch (protocol)
        {
            case ProtocolType.Tcp when segment.Length >= 20:
                var dataOffset = (segment[12] >> 4) * 4;
                return new CapturedPacket(time, etherType, source, destination, protocol,
                    BinaryPrimitives.ReadUInt16BigEndian(segment), BinaryPrimitives.ReadUInt16BigEndian(segment[2..]),
                    (TcpFlags)(segment[13] & 0x3f), Math.Max(0, segment.Length - dataOffset));
            case ProtocolType.Udp when segment.Length >= 8:
                return new CapturedPacket(time, etherType, source, destination, protocol,
                    BinaryPrimitives.ReadUInt16BigEndian(segment), BinaryPrimitives.ReadUInt16BigEndian(segment[2..]),
                    TcpFlags.None, segment.Length - 8);
            default:
                return new CapturedPacket(time, etherType, source, destination, protocol, 0, 0, TcpFlags.None, segment.Length);
        }
    }
}
