using System.Text;
using Galaxy.Agent.Relay.Sniffing;

namespace Galaxy.Agent.Tests.Relay.Sniffing;

public sealed class HostNameTests
{
    [Theory]
    [InlineData("Example.TEST", "example.test")]
    [InlineData("example.test.", "example.test")]
    [InlineData("_dmarc.x-1.example", "_dmarc.x-1.example")]
    [InlineData("localhost", "localhost")]
    [InlineData("1.example", "1.example")]
    public void Names_are_lower_cased_without_the_trailing_dot(string raw, string expected)
    {
        Assert.Equal(expected, HostName.Normalize(Encoding.ASCII.GetBytes(raw)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("example..test")]
    [InlineData(".example.test")]
    [InlineData("example.test..")]
    [InlineData("192.0.2.1")]
    [InlineData("exa mple.test")]
    [InlineData("exämple.test")]
    [InlineData("example.test/path")]
    public void Anything_but_a_host_name_is_refused(string raw)
    {
        Assert.Null(HostName.Normalize(Encoding.UTF8.GetBytes(raw)));
    }

    [Fact]
    public void Overlong_names_and_labels_are_refused()
    {
        Assert.Null(HostName.Normalize(Encoding.ASCII.GetBytes(new string('a', 64) + ".test")));
        Assert.NotNull(HostName.Normalize(Encoding.ASCII.GetBytes(new string('a', 63) + ".test")));
        Assert.Null(HostName.Normalize(Encoding.ASCII.GetBytes(string.Join('.', Enumerable.Repeat(new string('a', 50), 5)) + ".test")));
    }
}
