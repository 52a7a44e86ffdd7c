using System.Net;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Egress.Socks5;

namespace Galaxy.Agent.Tests.Egress;

/// <summary>
/// The non-blocking SOCKS5 handshake against a scripted proxy on a loopback TCP pair: the bytes it sends at
/// each step, how it waits for partial answers, and the outcome of each kind of refusal.
/// </summary>
public sealed class Socks5HandshakeTests : IDisposable
{
    private static readonly IPEndPoint Proxy = new(IPAddress.Parse("192.0.2.1"), 1080);
    private static readonly Socks5Address Target = Socks5Address.FromEndPoint(new IPEndPoint(IPAddress.Parse("203.0.113.10"), 80));

    private readonly HandshakeWire _wire = new();

    private int Fd => _wire.Fd;

    [Fact]
    public void Without_credentials_it_greets_requests_and_hands_over_what_follows_the_reply()
    {
        using var handshake = new Socks5Handshake(Proxy, null, Socks5Codec.CommandConnect, Target);
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(Fd));
        Assert.Equal("050100", ReadFromRelay(3));

        Answer("0500");
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(Fd));
        Assert.Equal("05010001cb00710a0050", ReadFromRelay(10));

        // The reply in two pieces, the second with the server's first bytes behind it.
        Answer("05000001c000");
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(Fd));
        Answer("02010438" + "5353482d");
        Assert.Equal(HandshakeProgress.Done, handshake.Advance(Fd));
        Assert.Equal("5353482d", Convert.ToHexStringLower(handshake.Remainder));
        Assert.Equal(new IPAddress([192, 0, 2, 1]), handshake.Bound.Address);
        Assert.Equal(1080, handshake.Bound.Port);
    }

    [Fact]
    public void With_credentials_it_authenticates_when_the_proxy_asks()
    {
        using var handshake = new Socks5Handshake(Proxy, new ProxyCredentials("alice", "secret"), Socks5Codec.CommandConnect, Target);
        handshake.Advance(Fd);
        Assert.Equal("05020002", ReadFromRelay(4));
        Answer("0502");
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(Fd));
        Assert.Equal("0105616c69636506736563726574", ReadFromRelay(14));
        Answer("0100");
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(Fd));
        Assert.Equal("05010001cb00710a0050", ReadFromRelay(10));
        Answer("05000001000000000000");
        Assert.Equal(HandshakeProgress.Done, handshake.Advance(Fd));
        Assert.True(handshake.Remainder.IsEmpty);
    }

    [Fact]
    public void Refused_credentials_are_a_rejection_that_names_the_user_not_the_password()
    {
        using var handshake = new Socks5Handshake(Proxy, new ProxyCredentials("alice", "secret"), Socks5Codec.CommandConnect, Target);
        handshake.Advance(Fd);
        Answer("0502");
        handshake.Advance(Fd);
        Answer("0101");
        Assert.Equal(HandshakeProgress.Failed, handshake.Advance(Fd));
        Assert.Equal(DialOutcome.Rejected, handshake.Failure.Outcome);
        Assert.Contains("alice", handshake.Failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", handshake.Failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("05", "Refused")]
    [InlineData("02", "Rejected")]
    [InlineData("04", "Unreachable")]
    [InlineData("01", "Failed")]
    public void A_refused_request_is_the_outcome_of_its_reply_code(string code, string outcomeName)
    {
        var outcome = Enum.Parse<DialOutcome>(outcomeName);
        using var handshake = new Socks5Handshake(Proxy, null, Socks5Codec.CommandConnect, Target);
        handshake.Advance(Fd);
        Answer("0500");
        handshake.Advance(Fd);
        Answer("05" + code + "0001000000000000");
        Assert.Equal(HandshakeProgress.Failed, handshake.Advance(Fd));
        Assert.Equal(outcome, handshake.Failure.Outcome);
        Assert.Contains("203.0.113.10", handshake.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proxy_that_wants_another_method_or_none_is_a_rejection()
    {
        using var handshake = new Socks5Handshake(Proxy, null, Socks5Codec.CommandConnect, Target);
        handshake.Advance(Fd);
        Answer("05ff");
        Assert.Equal(HandshakeProgress.Failed, handshake.Advance(Fd));
        Assert.Equal(DialOutcome.Rejected, handshake.Failure.Outcome);
        Assert.Contains("none of the offered", handshake.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Something_that_is_not_socks5_fails_the_dial()
    {
        using var handshake = new Socks5Handshake(Proxy, null, Socks5Codec.CommandConnect, Target);
        handshake.Advance(Fd);
        Answer("485454502f312e31"); // "HTTP/1.1"
        Assert.Equal(HandshakeProgress.Failed, handshake.Advance(Fd));
        Assert.Equal(DialOutcome.Failed, handshake.Failure.Outcome);
        Assert.Contains("not SOCKS5", handshake.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proxy_that_closes_mid_handshake_fails_the_dial()
    {
        using var handshake = new Socks5Handshake(Proxy, null, Socks5Codec.CommandConnect, Target);
        handshake.Advance(Fd);
        Answer("05");
        Assert.Equal(HandshakeProgress.Waiting, handshake.Advance(Fd));
        _wire.CloseProxy();
        Assert.Equal(HandshakeProgress.Failed, handshake.Advance(Fd));
        Assert.Contains("closed the connection", handshake.Failure.Reason, StringComparison.Ordinal);
    }

    public void Dispose() => _wire.Dispose();

    private string ReadFromRelay(int count) => _wire.ReadFromRelay(count);

    private void Answer(string hex) => _wire.Answer(hex);
}
