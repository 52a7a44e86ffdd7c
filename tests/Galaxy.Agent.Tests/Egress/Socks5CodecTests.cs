using System.Net;
using Galaxy.Agent.Egress.Socks5;

namespace Galaxy.Agent.Tests.Egress;

/// <summary>SOCKS5 messages against the byte layouts of RFC 1928 and RFC 1929.</summary>
public sealed class Socks5CodecTests
{
    [Fact]
    public void Greeting_offers_no_auth_and_username_password_only_when_credentials_exist()
    {
        var buffer = new byte[8];
        Assert.Equal("050100", Hex(buffer, Socks5Codec.WriteGreeting(buffer, offerUsernamePassword: false)));
        Assert.Equal("05020002", Hex(buffer, Socks5Codec.WriteGreeting(buffer, offerUsernamePassword: true)));
    }

    [Fact]
    public void Connect_request_encodes_ipv4_ipv6_and_domain_destinations()
    {
        var buffer = new byte[Socks5Codec.MaxMessageLength];
        var v4 = Socks5Address.FromEndPoint(new IPEndPoint(IPAddress.Parse("203.0.113.10"), 80));
        Assert.Equal("05010001cb00710a0050", Hex(buffer, Socks5Codec.WriteRequest(buffer, Socks5Codec.CommandConnect, v4)));

        var v6 = Socks5Address.FromEndPoint(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443));
        Assert.Equal("0501000420010db800000000000000000000000101bb", Hex(buffer, Socks5Codec.WriteRequest(buffer, Socks5Codec.CommandConnect, v6)));

        var domain = Socks5Address.FromDomain("example.org", 8080);
        Assert.Equal("050100030b6578616d706c652e6f72671f90", Hex(buffer, Socks5Codec.WriteRequest(buffer, Socks5Codec.CommandConnect, domain)));
    }

    [Fact]
    public void An_ipv4_mapped_destination_is_sent_as_ipv4()
    {
        var buffer = new byte[32];
        var mapped = Socks5Address.FromEndPoint(new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.7"), 53));
        Assert.Equal("05030001c63364070035", Hex(buffer, Socks5Codec.WriteRequest(buffer, Socks5Codec.CommandUdpAssociate, mapped)));
    }

    [Fact]
    public void Username_password_follows_rfc_1929()
    {
        var buffer = new byte[600];
        Assert.Equal("0104757365720870617373776f7264", Hex(buffer, Socks5Codec.WriteUsernamePassword(buffer, "user", "password")));
        Assert.Throws<ArgumentException>(() => Socks5Codec.WriteUsernamePassword(buffer, "", "x"));
        Assert.Throws<ArgumentException>(() => Socks5Codec.WriteUsernamePassword(buffer, new string('u', 256), "x"));
    }

    [Fact]
    public void Reply_is_read_whole_and_reports_its_length_so_early_data_is_kept()
    {
        // VER 5, REP 0, RSV, ATYP 1, 198.51.100.1:40000, then two bytes of early data.
        var reply = Convert.FromHexString("05000001c6336401 9c40 abcd".Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(Socks5Decode.Done, Socks5Codec.ReadReply(reply, out var code, out var bound, out var consumed));
        Assert.Equal(Socks5ReplyCode.Succeeded, code);
        Assert.Equal("198.51.100.1:40000", bound.ToString());
        Assert.Equal(10, consumed);
    }

    [Fact]
    public void Partial_replies_ask_for_more_and_garbage_is_invalid()
    {
        var reply = Convert.FromHexString("0505000301");
        for (var length = 0; length < reply.Length; length++)
        {
            Assert.Equal(Socks5Decode.NeedMore, Socks5Codec.ReadReply(reply.AsSpan(0, length), out _, out _, out _));
        }

        Assert.Equal(Socks5Decode.NeedMore, Socks5Codec.ReadReply(reply, out _, out _, out _)); // domain of 1 byte + port missing
        Assert.Equal(Socks5Decode.Invalid, Socks5Codec.ReadReply(Convert.FromHexString("0400000100000000 0000".Replace(" ", "", StringComparison.Ordinal)), out _, out _, out _));
        Assert.Equal(Socks5Decode.Invalid, Socks5Codec.ReadReply(Convert.FromHexString("05000009"), out _, out _, out _));
    }

    [Fact]
    public void Refusal_reply_carries_its_code_and_words()
    {
        var refused = Convert.FromHexString("050500010000000000 00".Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(Socks5Decode.Done, Socks5Codec.ReadReply(refused, out var code, out _, out _));
        Assert.Equal(Socks5ReplyCode.ConnectionRefused, code);
        Assert.Equal("connection refused", Socks5Codec.Describe(code));
    }

    [Fact]
    public void Udp_header_round_trips_and_fragments_are_dropped()
    {
        var buffer = new byte[64];
        var destination = Socks5Address.FromEndPoint(new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53));
        var length = Socks5Codec.WriteUdpHeader(buffer, destination);
        Assert.Equal("000000 01 c0000235 0035".Replace(" ", "", StringComparison.Ordinal), Hex(buffer, length));

        buffer[length] = 0x42;
        Assert.Equal(Socks5Decode.Done, Socks5Codec.ReadUdpHeader(buffer.AsSpan(0, length + 1), out var source, out var headerLength));
        Assert.Equal(destination, source);
        Assert.Equal(length, headerLength);

        buffer[2] = 1; // FRAG
        Assert.Equal(Socks5Decode.Invalid, Socks5Codec.ReadUdpHeader(buffer.AsSpan(0, length + 1), out _, out _));
    }

    [Fact]
    public void Domain_names_with_spaces_or_controls_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Socks5Address.FromDomain("bad host", 80));
        Assert.Throws<ArgumentException>(() => Socks5Address.FromDomain("bad\nhost", 80));
        Assert.Throws<ArgumentException>(() => Socks5Address.FromDomain(new string('a', 256), 80));
    }

    private static string Hex(byte[] buffer, int length) => Convert.ToHexStringLower(buffer.AsSpan(0, length));
}
