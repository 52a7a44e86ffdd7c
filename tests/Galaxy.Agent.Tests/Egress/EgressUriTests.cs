using Galaxy.Agent.Cli;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Tests.Egress;

public sealed class EgressUriTests
{
    [Theory]
    [InlineData("direct", "direct (mark 7)")]
    [InlineData("direct:tun0", "direct:tun0 (dev tun0, mark 7)")]
    [InlineData("socks5://203.0.113.5:1080", "socks5://203.0.113.5:1080 (socks5 203.0.113.5:1080 via wan)")]
    [InlineData("socks5://alice:s3cret@203.0.113.5:1080", "socks5://203.0.113.5:1080 (socks5 203.0.113.5:1080 via wan)")]
    [InlineData("http://[2001:db8::8]:3128", "http://[2001:db8::8]:3128 (http-connect [2001:db8::8]:3128 via wan)")]
    [InlineData("reject", "reject")]
    [InlineData("drop", "drop")]
    public void Each_egress_form_builds_its_dialer(string text, string described)
    {
        Assert.True(EgressUri.TryParse(text, 7, null, out var dialer, out var error), error);
        Assert.Equal(described, dialer!.ToString());
    }

    [Theory]
    [InlineData("direct:", "needs a device")]
    [InlineData("direct:a/b", "not an interface name")]
    [InlineData("wireguard://x", "is not direct")]
    [InlineData("socks5://proxy.example:1080", "must be an IP address with a port")]
    [InlineData("socks5://203.0.113.5", "must be an IP address with a port")]
    [InlineData("http://203.0.113.5:3128/path", "no path or query")]
    [InlineData("http://:pw@203.0.113.5:3128", "USER:PASS")]
    public void Malformed_egresses_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(EgressUri.TryParse(text, 0, null, out var dialer, out var error));
        Assert.Null(dialer);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 0u)]
    [InlineData("71", 71u)]
    [InlineData("0x47", 71u)]
    [InlineData("0XfF", 255u)]
    public void Marks_are_decimal_or_hex(string? text, uint expected)
    {
        Assert.True(RelayCommand.TryParseMark(text, out var mark));
        Assert.Equal(expected, mark);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0x")]
    [InlineData("ten")]
    [InlineData("4294967296")]
    public void Bad_marks_are_refused(string text)
    {
        Assert.False(RelayCommand.TryParseMark(text, out _));
    }
}
