using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>TCP header flags, as in the header's 13th byte.</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
}

/// <summary>
/// One packet seen by a capture, decoded down to the transport header. Non-IP frames (ARP, …) have
/// a null <see cref="Source"/>.
/// </summary>
public sealed record CapturedPacket(
    DateTimeOffset Time,
    ushort EtherType,
    IPAddress? Source,
    IPAddress? Destination,
    ProtocolType Protocol,
    int SourcePort,
    int DestinationPort,
    TcpFlags TcpFlags,
    int PayloadLength)
{
    public bool IsTcp => Protocol == ProtocolType.Tcp;

    public bool IsUdp => Protocol == ProtocolType.Udp;

    /// <summary>A tcpdump-like line, for failure messages.</summary>
    public override string ToString()
    {
        if (Source is null || Destination is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"ethertype 0x{EtherType:x4}");
        }

        return Protocol switch
        {
            ProtocolType.Tcp => string.Create(CultureInfo.InvariantCulture,
                $"{Source}.{SourcePort} > {Destination}.{DestinationPort} tcp [{TcpFlags}] len {PayloadLength}"),
            ProtocolType.Udp => string.Create(CultureInfo.InvariantCulture,
                $"{Source}.{SourcePort} > {Destination}.{DestinationPort} udp len {PayloadLength}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{Source} > {Destination} {Protocol} len {PayloadLength}"),
        };
    }

    /// <summary>All packets as lines, for failure messages.</summary>
    public static string Describe(IEnumerable<CapturedPacket> packets)
    {
        var lines = packets.Select(p => "  " + p).ToList();
        return lines.Count == 0 ? "(no packets)" : string.Join('\n', lines);
    }
}
