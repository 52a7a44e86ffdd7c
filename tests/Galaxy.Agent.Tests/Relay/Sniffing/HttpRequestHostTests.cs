using System.Text;
using Galaxy.Agent.Relay.Sniffing;

namespace Galaxy.Agent.Tests.Relay.Sniffing;

public sealed class HttpRequestHostTests
{
    [Fact]
    public void A_captured_curl_request_yields_its_host_without_port_in_lower_case()
    {
        var outcome = HttpRequestHost.TryRead(Fixtures.Load("curl-http"), out var host);

        Assert.True(outcome == SniffOutcome.Found && host == "plain.example.test", $"expected Found plain.example.test, saw {outcome} \"{host}\"");
    }

    [Fact]
    public void Every_prefix_needs_more_until_the_host_line_is_complete()
    {
        var bytes = Fixtures.Load("curl-http");
        var hostLineEnd = bytes.AsSpan().IndexOf("8443\r\n"u8) + 6;
        for (var length = 0; length <= bytes.Length; length++)
        {
            var outcome = HttpRequestHost.TryRead(bytes.AsSpan(0, length), out _);

            var expected = length < hostLineEnd ? SniffOutcome.NeedMore : SniffOutcome.Found;
            Assert.True(outcome == expected, $"prefix of {length} bytes: expected {expected}, saw {outcome}");
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nAccept: */*\r\nhOsT: \t Api.Example.Test. \t\r\n\r\n", "api.example.test")]
    [InlineData("POST /x HTTP/1.0\nHost: example.test\n\n", "example.test")] // bare LF
    [InlineData("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n", "example.test")]
    [InlineData("GET / HTTP/1.1\r\nX-Host: other.test\r\nHost: right.test\r\n\r\n", "right.test")]
    public void The_host_header_is_found_case_insensitively_and_normalised(string request, string expected)
    {
        var outcome = HttpRequestHost.TryRead(Encoding.ASCII.GetBytes(request), out var host);

        Assert.True(outcome == SniffOutcome.Found && host == expected, $"expected Found \"{expected}\", saw {outcome} \"{host}\"");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n")]  // an IPv6 literal: no name
    [InlineData("GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: 192.0.2.10:80\r\n\r\n")]       // an IPv4 literal
    [InlineData("GET / HTTP/1.1\r\nHost: example.test:http\r\n\r\n")]   // not a port
    [InlineData("GET / HTTP/1.1\r\nHost: exa mple.test\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: \r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: late.test\r\n")] // after the head: body, not header
    public void A_request_without_a_usable_host_name_has_no_name(string request)
    {
        var outcome = HttpRequestHost.TryRead(Encoding.ASCII.GetBytes(request), out var host);

        Assert.True(outcome == SniffOutcome.NoName && host is null, $"expected NoName, saw {outcome} \"{host}\"");
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2p1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("get / HTTP/1.1\r\nHost: example.test\r\n\r\n")]
    [InlineData("GET / HTTP/2\r\nHost: example.test\r\n\r\n")]
    [InlineData("GET /\u0001 HTTP/1.1\r\nHost: example.test\r\n\r\n")]
    [InlineData(" GET / HTTP/1.1\r\n")]
    [InlineData("AVERYVERYLONGMETHODNAME / HTTP/1.1\r\n")]
    public void Other_protocols_are_not_taken_for_http(string first)
    {
        Assert.Equal(SniffOutcome.Unrecognized, HttpRequestHost.TryRead(Encoding.ASCII.GetBytes(first), out _));
    }
}
