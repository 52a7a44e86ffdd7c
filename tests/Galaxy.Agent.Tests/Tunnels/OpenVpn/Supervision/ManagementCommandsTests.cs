using Galaxy.Agent.Tunnels.OpenVpn.Supervision;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn.Supervision;

public sealed class ManagementCommandsTests
{
    [Fact]
    public void Credentials_are_quoted_with_backslash_and_quote_escaped()
    {
        Assert.Equal("username \"Auth\" \"alice\"\n", ManagementCommands.UserName("Auth", "alice"));
        Assert.Equal("password \"Auth\" \"p\\\"w \\\\ rd\"\n", ManagementCommands.Password("Auth", "p\"w \\ rd"));
        Assert.Equal("password \"Private Key\" \"foo\\\"bar\"\n", ManagementCommands.Password("Private Key", "foo\"bar"));
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("carriage\rreturn")]
    [InlineData("nul\0byte")]
    public void A_word_with_a_line_break_cannot_be_sent(string word)
    {
        Assert.Throws<ArgumentException>(() => ManagementCommands.Password("Auth", word));
        Assert.Throws<ArgumentException>(() => new OpenVpnCredentials("alice", word));
    }

    [Fact]
    public void Credentials_never_show_in_their_text()
    {
        var credentials = new OpenVpnCredentials("alice", "hunter2", "keypass");
        Assert.DoesNotContain("hunter2", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("keypass", credentials.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new OpenVpnCredentials("alice", null));
    }

    [Fact]
    public void The_fixed_commands_are_single_lines()
    {
        Assert.Equal("bytecount 1\n", ManagementCommands.ByteCount(1));
        Assert.Equal("hold release\n", ManagementCommands.HoldRelease);
        Assert.Equal("signal SIGTERM\n", ManagementCommands.SignalTerm);
    }
}
