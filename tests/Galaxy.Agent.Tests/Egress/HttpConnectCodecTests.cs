using System.Buffers;
using System.Text;
using Galaxy.Agent.Egress.HttpConnect;

namespace Galaxy.Agent.Tests.Egress;

public sealed class HttpConnectCodecTests
{
    [Fact]
    public void Request_names_the_authority_twice_and_ends_with_an_empty_line()
    {
        Assert.Equal(
            "CONNECT 203.0.113.10:443 HTTP/1.1\r\nHost: 203.0.113.10:443\r\n\r\n",
            Encoding.ASCII.GetString(HttpConnectCodec.BuildRequest("203.0.113.10", 443)));
        Assert.Equal(
            "CONNECT [2001:db8::5]:80 HTTP/1.1\r\nHost: [2001:db8::5]:80\r\n\r\n",
            Encoding.ASCII.GetString(HttpConnectCodec.BuildRequest("2001:db8::5", 80)));
    }

    [Fact]
    public void Basic_credentials_go_in_proxy_authorization()
    {
        var request = Encoding.ASCII.GetString(HttpConnectCodec.BuildRequest("example.org", 443, "alice", "s3cret"));
        Assert.Contains("Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_injection_through_host_or_credentials_is_refused()
    {
        Assert.Throws<ArgumentException>(() => HttpConnectCodec.BuildRequest("example.org\r\nX-Evil: 1", 443));
        Assert.Throws<ArgumentException>(() => HttpConnectCodec.BuildRequest("example.org", 443, "a:b", "c"));
        Assert.Throws<ArgumentException>(() => HttpConnectCodec.BuildRequest("example.org", 443, "a", "c\r\nX: y"));
    }

    [Fact]
    public void A_2xx_response_establishes_and_early_tunnel_bytes_are_kept()
    {
        var response = "HTTP/1.1 200 Connection established\r\nProxy-agent: tinyproxy\r\n\r\nEARLY";
        Assert.Equal(HttpConnectDecode.Established, Read(response, out var status, out var headerLength));
        Assert.Equal(200, status);
        Assert.Equal("EARLY", response[headerLength..]);
    }

    [Fact]
    public void A_refusal_is_complete_with_its_status()
    {
        Assert.Equal(HttpConnectDecode.Refused, Read("HTTP/1.0 403 Access violation\r\n\r\n", out var status, out _));
        Assert.Equal(403, status);
        Assert.Equal(HttpConnectDecode.Refused, Read("HTTP/1.1 407\r\nProxy-Authenticate: Basic\r\n\r\n", out status, out _));
        Assert.Equal(407, status);
    }

    [Fact]
    public void An_incomplete_header_needs_more_and_a_split_header_is_found()
    {
        Assert.Equal(HttpConnectDecode.NeedMore, Read("HTTP/1.1 200 OK\r\n", out _, out _));
        Assert.Equal(HttpConnectDecode.NeedMore, Read("HTT", out _, out _));

        // The same response split across three segments, the delimiter straddling two of them.
        var first = new Segment(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r"));
        var last = first.Append(Encoding.ASCII.GetBytes("\n\r")).Append(Encoding.ASCII.GetBytes("\nDATA"));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(HttpConnectDecode.Established, HttpConnectCodec.ReadResponse(sequence, out var status, out var headerLength));
        Assert.Equal((200, 19), (status, headerLength));
    }

    [Fact]
    public void Non_http_or_oversized_responses_are_invalid()
    {
        Assert.Equal(HttpConnectDecode.Invalid, Read("SSH-2.0-OpenSSH_9.2\r\n", out _, out _));
        Assert.Equal(HttpConnectDecode.Invalid, Read("HTTP/1.1 2000 OK\r\n\r\n", out _, out _));
        Assert.Equal(HttpConnectDecode.Invalid, Read("HTTP/1.1 200 OK\r\nX: " + new string('a', 9000), out _, out _));
        Assert.Equal(HttpConnectDecode.Invalid, Read("HTTP/1.1 200 OK\r\nX: " + new string('a', 9000) + "\r\n\r\n", out _, out _));
    }

    private static HttpConnectDecode Read(string text, out int status, out int headerLength) =>
        HttpConnectCodec.ReadResponse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out status, out headerLength);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
