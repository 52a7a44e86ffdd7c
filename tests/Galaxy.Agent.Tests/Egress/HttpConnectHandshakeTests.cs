using System.Net;
using System.Text;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;

namespace Galaxy.Agent.Tests.Egress;

/// <summary>The non-blocking HTTP CONNECT exchange against a scripted proxy on a loopback TCP pair.</summary>
public sealed class HttpConnectHandshakeTests : IDisposable
{
    private static readonly IPEndPoint Proxy = new(IPAddress.Parse("192.0.2.1"), 8888);
    private static readonly IPEndPoint Destination = new(IPAddress.Parse("203.0.113.10"), 443);
    private const string Request = "CONNECT 203.0.113.10:443 HTTP/1.1\r\nHost: 203.0.113.10:443\r\n\r\n";

    private readonly HandshakeWire _wire = new();

    [Fact]
    public void A_2xx_opens_the_tunnel_and_what_follows_the_header_is_the_servers()
    {
        using var handshake = new HttpConnectHandshake(Proxy, Destination, null);
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(_wire.Fd));
        Assert.Equal(Request, Text(_wire.ReadFromRelay(Request.Length)));

        // The header in two pieces, the second with the server's first bytes behind it.
        _wire.AnswerBytes("HTTP/1.1 200 Connection established\r\n"u8.ToArray());
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(_wire.Fd));
        _wire.AnswerBytes("Proxy-Agent: test\r\n\r\nSSH-2.0-x"u8.ToArray());
        Assert.Equal(HandshakeProgress.Done, handshake.Advance(_wire.Fd));
        Assert.Equal("SSH-2.0-x", Encoding.ASCII.GetString(handshake.Remainder));
    }

    [Fact]
    public void Credentials_go_as_basic_auth_and_a_407_is_a_rejection_naming_the_user_only()
    {
        using var handshake = new HttpConnectHandshake(Proxy, Destination, new ProxyCredentials("alice", "s3cret"));
        handshake.Advance(_wire.Fd);
        var expected = "CONNECT 203.0.113.10:443 HTTP/1.1\r\nHost: 203.0.113.10:443\r\nProxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n";
        Assert.Equal(expected, Text(_wire.ReadFromRelay(expected.Length)));

        _wire.AnswerBytes("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n"u8.ToArray());
        Assert.Equal(HandshakeProgress.Failed, handshake.Advance(_wire.Fd));
        Assert.Equal(DialOutcome.Rejected, handshake.Failure.Outcome);
        Assert.Contains("refused the credentials of user alice", handshake.Failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", handshake.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_gateway_is_a_refusal_of_the_destination()
    {
        using var handshake = new HttpConnectHandshake(Proxy, Destination, null);
        handshake.Advance(_wire.Fd);
        _wire.AnswerBytes("HTTP/1.0 502 Bad Gateway\r\n\r\n"u8.ToArray());
        Assert.Equal(HandshakeProgress.Failed, handshake.Advance(_wire.Fd));
        Assert.Equal(DialOutcome.Refused, handshake.Failure.Outcome);
        Assert.Contains("status 502", handshake.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Something_that_is_not_http_or_a_proxy_that_closes_fails_the_dial()
    {
        using (var garbled = new HttpConnectHandshake(Proxy, Destination, null))
        {
            garbled.Advance(_wire.Fd);
            _wire.Answer("0500");
            Assert.Equal(HandshakeProgress.Failed, garbled.Advance(_wire.Fd));
            Assert.Contains("not an HTTP/1.x response", garbled.Failure.Reason, StringComparison.Ordinal);
        }

        using var other = new HandshakeWire();
        using var closed = new HttpConnectHandshake(Proxy, Destination, null);
        closed.Advance(other.Fd);
        other.CloseProxy();
        Assert.Equal(HandshakeProgress.Failed, closed.Advance(other.Fd));
        Assert.Contains("closed the connection", closed.Failure.Reason, StringComparison.Ordinal);
    }

    public void Dispose() => _wire.Dispose();

    private static string Text(string hex) => Encoding.ASCII.GetString(Convert.FromHexString(hex));
}
