using System.Net;
using System.Net.Sockets;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// The capture decoder against a real tcpdump file (Fixtures/veth-sample.pcap, taken on a veth in a
/// throw-away namespace; `tcpdump -nn -r` lines quoted beside each assertion).
/// </summary>
public sealed class PcapReaderTests
{
    private static readonly IReadOnlyList<CapturedPacket> Packets =
        PcapReader.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "veth-sample.pcap")));

    [Fact]
    public void Reads_every_record_of_a_tcpdump_file()
    {
        Assert.Equal(12, Packets.Count);
        Assert.All(Packets, p => Assert.True(p.Time.Year >= 2026, $"timestamp {p.Time} of {p}"));
    }

    [Fact]
    public void Decodes_an_ipv4_udp_datagram()
    {
        // IP 198.51.100.1.44102 > 198.51.100.2.5353: domain [length 3 < 12]
        var udp = Packets[4];
        Assert.Equal(ProtocolType.Udp, udp.Protocol);
        Assert.Equal(IPAddress.Parse("198.51.100.1"), udp.Source);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), udp.Destination);
        Assert.Equal((44102, 5353, 3), (udp.SourcePort, udp.DestinationPort, udp.PayloadLength));
    }

    [Fact]
    public void Decodes_tcp_flags_and_ports()
    {
        // IP 198.51.100.1.43382 > 198.51.100.2.7000: Flags [S] … / 198.51.100.2.7000 > 198.51.100.1.43382: Flags [R.]
        var syn = Packets[6];
        var reset = Packets[7];
        Assert.Equal((43382, 7000, TcpFlags.Syn), (syn.SourcePort, syn.DestinationPort, syn.TcpFlags));
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, reset.TcpFlags);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), reset.Source);
        Assert.Equal(0, syn.PayloadLength);
    }

    [Fact]
    public void Decodes_icmp_and_ipv6_through_extension_headers()
    {
        // IP 198.51.100.2 > 198.51.100.1: ICMP … udp port 5353 unreachable
        Assert.Equal(ProtocolType.Icmp, Packets[5].Protocol);

        // IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2 (a hop-by-hop header first)
        Assert.Equal(ProtocolType.IcmpV6, Packets[0].Protocol);
        Assert.Equal(IPAddress.IPv6Any, Packets[0].Source);

        // IP6 2001:db8::1.47766 > 2001:db8::2.9999: UDP, length 7
        var udp6 = Packets[10];
        Assert.Equal((ProtocolType.Udp, 47766, 9999, 7), (udp6.Protocol, udp6.SourcePort, udp6.DestinationPort, udp6.PayloadLength));
        Assert.Equal(IPAddress.Parse("2001:db8::2"), udp6.Destination);
    }

    [Fact]
    public void Rejects_a_file_that_is_not_pcap()
    {
        var error = Assert.Throws<FormatException>(() => PcapReader.Read(new byte[24]));
        Assert.Contains("not a pcap file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_truncated_record()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "veth-sample.pcap"));
        var error = Assert.Throws<FormatException>(() => PcapReader.Read(bytes.AsSpan(0, bytes.Length - 5)));
        Assert.Contains("past the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_still_being_written_yields_its_complete_records()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "veth-sample.pcap"));
        var partial = PcapReader.ReadPrefix(bytes.AsSpan(0, bytes.Length - 5));
        Assert.Equal(11, partial.Count);
        Assert.Equal(Packets[10], partial[10]);
    }
}
