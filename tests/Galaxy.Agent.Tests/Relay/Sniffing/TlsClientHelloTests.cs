using Galaxy.Agent.Relay.Sniffing;

namespace Galaxy.Agent.Tests.Relay.Sniffing;

public sealed class TlsClientHelloTests
{
    [Theory]
    [InlineData("curl-tls13", "example.test")]
    [InlineData("openssl-tls12", "www.example.test")] // sent as "www.Example.TEST.": lower case, no trailing dot
    [InlineData("wget-tls", "localhost")]            // GnuTLS
    [InlineData("openssl-fragmented", "fragmented.example.test")]
    public void A_captured_client_hello_yields_its_server_name(string fixture, string expected)
    {
        var outcome = TlsClientHello.TryReadServerName(Fixtures.Load(fixture), out var name);

        Assert.True(outcome == SniffOutcome.Found && name == expected, $"expected Found \"{expected}\", saw {outcome} \"{name}\"");
    }

    [Fact]
    public void A_hello_without_server_name_has_no_name()
    {
        var outcome = TlsClientHello.TryReadServerName(Fixtures.Load("openssl-nosni"), out var name);

        Assert.True(outcome == SniffOutcome.NoName && name is null, $"expected NoName, saw {outcome} \"{name}\"");
    }

    [Fact]
    public void The_fragmented_capture_really_spans_three_records()
    {
        var bytes = Fixtures.Load("openssl-fragmented");

        Assert.Equal((byte)22, bytes[5 + 512]); // a second handshake record right after 512 bytes of the first
        Assert.Equal((byte)22, bytes[2 * (5 + 512)]);
    }

    [Theory]
    [InlineData(new[] { 60 })]
    [InlineData(new[] { 60, 61, 150 })]
    [InlineData(new[] { 2 })]  // the handshake header itself split: given up, not misread
    public void A_hello_split_across_records_is_put_back_together(int[] cuts)
    {
        var bytes = Fixtures.Rerecord(Fixtures.Load("curl-tls13"), cuts);

        var outcome = TlsClientHello.TryReadServerName(bytes, out var name);

        var expected = cuts[0] < 4 ? (SniffOutcome.NoName, (string?)null) : (SniffOutcome.Found, "example.test");
        Assert.True((outcome, name) == expected, $"expected {expected}, saw {outcome} \"{name}\"");
    }

    [Theory]
    [InlineData("curl-tls13", new int[0])]
    [InlineData("openssl-fragmented", new int[0])]
    [InlineData("curl-tls13", new[] { 100, 200 })]
    public void Every_prefix_needs_more_until_the_name_is_complete_then_finds_it(string fixture, int[] cuts)
    {
        var bytes = cuts.Length == 0 ? Fixtures.Load(fixture) : Fixtures.Rerecord(Fixtures.Load(fixture), cuts);
        var firstFound = -1;
        for (var length = 0; length <= bytes.Length; length++)
        {
            var outcome = TlsClientHello.TryReadServerName(bytes.AsSpan(0, length), out var name);
            if (firstFound < 0 && outcome == SniffOutcome.Found)
            {
                firstFound = length;
            }

            var expected = firstFound < 0 ? SniffOutcome.NeedMore : SniffOutcome.Found;
            Assert.True(outcome == expected, $"prefix of {length}/{bytes.Length} bytes: expected {expected}, saw {outcome} \"{name}\"");
        }

        Assert.True(firstFound > 0, "the whole hello must yield the name");
    }

    [Fact]
    public void A_hello_interrupted_by_another_record_type_has_no_name()
    {
        var bytes = Fixtures.Rerecord(Fixtures.Load("curl-tls13"), 60);
        bytes[5 + 60] = 21; // the second record claims to be an alert

        var outcome = TlsClientHello.TryReadServerName(bytes, out _);

        Assert.Equal(SniffOutcome.NoName, outcome);
    }

    [Fact]
    public void A_server_name_with_bytes_no_host_name_has_is_refused()
    {
        var bytes = Fixtures.Load("curl-tls13");
        var at = bytes.AsSpan().IndexOf("example.test"u8);
        bytes[at + 7] = (byte)'/';

        var outcome = TlsClientHello.TryReadServerName(bytes, out var name);

        Assert.True(outcome == SniffOutcome.NoName && name is null, $"expected NoName, saw {outcome} \"{name}\"");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2p1\r\n")]
    [InlineData("\u0016\u0002")]           // handshake type, but no TLS major version 3
    [InlineData("\u0016\u0003\u0001\u0000\u0000")] // an empty record
    public void Other_protocols_are_not_taken_for_tls(string first)
    {
        var bytes = first.Select(c => (byte)c).ToArray();

        Assert.Equal(SniffOutcome.Unrecognized, TlsClientHello.TryReadServerName(bytes, out _));
    }

    [Fact]
    public void A_length_past_its_container_is_malformed_not_a_wait()
    {
        var bytes = Fixtures.Load("curl-tls13");
        var at = bytes.AsSpan().IndexOf("example.test"u8);
        bytes[at - 2] = 0xff; // host_name length far beyond the extension

        var outcome = TlsClientHello.TryReadServerName(bytes, out _);

        Assert.Equal(SniffOutcome.NoName, outcome);
    }
}
