using System.Net;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn.Supervision;

/// <summary>Lines captured from OpenVPN 2.6.14's management interface (management-client mode, a lab server).</summary>
public sealed class ManagementParserTests
{
    [Fact]
    public void A_connected_state_carries_the_tunnel_addresses_and_the_server()
    {
        var state = Assert.IsType<StateMessage>(ManagementParser.Parse(">STATE:1795654773,CONNECTED,SUCCESS,10.8.0.2,198.51.100.1,1194,,,fd00:8::1000"));
        Assert.Equal(1795654773, state.Time);
        Assert.Equal("CONNECTED", state.Name);
        Assert.Equal("SUCCESS", state.Description);
        Assert.Equal(IPAddress.Parse("10.8.0.2"), state.TunnelIPv4);
        Assert.Equal(IPAddress.Parse("198.51.100.1"), state.Remote);
        Assert.Equal(1194, state.RemotePort);
        Assert.Equal(IPAddress.Parse("fd00:8::1000"), state.TunnelIPv6);
    }

    [Theory]
    [InlineData(">STATE:1795654763,WAIT,,,,,,", "WAIT", "")]
    [InlineData(">STATE:1795654763,AUTH,,,,,,", "AUTH", "")]
    [InlineData(">STATE:1795654763,ASSIGN_IP,,10.8.0.2,,,,,fd00:8::1000", "ASSIGN_IP", "")]
    [InlineData(">STATE:1795654776,RECONNECTING,server-pushed-connection-reset,,,,,", "RECONNECTING", "server-pushed-connection-reset")]
    [InlineData(">STATE:1795654780,RECONNECTING,server_poll,,,,,", "RECONNECTING", "server_poll")]
    [InlineData(">STATE:1795654780,RECONNECTING,tls-error,,,,,", "RECONNECTING", "tls-error")]
    [InlineData(">STATE:1795654769,EXITING,SIGTERM,,,,,", "EXITING", "SIGTERM")]
    [InlineData(">STATE:1795654769,EXITING,auth-failure,,,,,", "EXITING", "auth-failure")]
    public void Every_state_line_gives_its_name_and_reason(string line, string name, string description)
    {
        var state = Assert.IsType<StateMessage>(ManagementParser.Parse(line));
        Assert.Equal(name, state.Name);
        Assert.Equal(description, state.Description);
        Assert.Null(state.Remote);
    }

    [Fact]
    public void Byte_counts_hold_and_fatal_lines_are_read()
    {
        Assert.Equal(new ByteCountMessage(2371, 2348), ManagementParser.Parse(">BYTECOUNT:2371,2348"));
        Assert.Equal(new HoldMessage(0), ManagementParser.Parse(">HOLD:Waiting for hold release:0"));
        Assert.Equal(new HoldMessage(1), ManagementParser.Parse(">HOLD:Waiting for hold release:1"));
        Assert.Equal(new FatalMessage("Cannot open TUN/TAP dev /dev/net/tun: No such file or directory (errno=2)"),
            ManagementParser.Parse(">FATAL:Cannot open TUN/TAP dev /dev/net/tun: No such file or directory (errno=2)"));
    }

    [Theory]
    [InlineData(">PASSWORD:Need 'Auth' username/password", "Auth", true)]
    [InlineData(">PASSWORD:Need 'Auth' username/password SC:1,Enter your token", "Auth", true)]
    [InlineData(">PASSWORD:Need 'Private Key' password", "Private Key", false)]
    public void Password_queries_name_what_is_needed(string line, string type, bool userName)
    {
        Assert.Equal(new PasswordNeededMessage(type, userName), ManagementParser.Parse(line));
    }

    [Fact]
    public void A_refused_password_and_an_auth_token_are_told_apart_and_the_token_is_not_kept()
    {
        Assert.Equal(new PasswordFailedMessage("Auth"), ManagementParser.Parse(">PASSWORD:Verification Failed: 'Auth'"));
        Assert.Equal(new PasswordFailedMessage("Private Key"), ManagementParser.Parse(">PASSWORD:Verification Failed: 'Private Key'"));
        var token = Assert.IsType<NotificationMessage>(ManagementParser.Parse(">PASSWORD:Auth-Token:c2VjcmV0LXRva2Vu"));
        Assert.DoesNotContain("c2VjcmV0", token.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_lines_keep_their_text_with_commas()
    {
        var log = Assert.IsType<LogMessage>(ManagementParser.Parse(">LOG:1795654783,,PUSH: Received control message: 'PUSH_REPLY,dhcp-option DNS 10.8.0.1,ping 1'"));
        Assert.Equal(1795654783, log.Time);
        Assert.Equal(string.Empty, log.Flags);
        Assert.Equal("PUSH: Received control message: 'PUSH_REPLY,dhcp-option DNS 10.8.0.1,ping 1'", log.Text);
        Assert.Equal(new LogMessage(1795654773, "D", "MANAGEMENT: CMD 'hold release'"), ManagementParser.Parse(">LOG:1795654773,D,MANAGEMENT: CMD 'hold release'"));
    }

    [Theory]
    [InlineData("SUCCESS: real-time state notification set to ON", true, "real-time state notification set to ON")]
    [InlineData("SUCCESS: hold release succeeded", true, "hold release succeeded")]
    [InlineData("ERROR: unknown command [foo], enter 'help' for more options", false, "unknown command [foo], enter 'help' for more options")]
    public void Command_replies_are_success_or_error(string line, bool success, string text)
    {
        Assert.Equal(new CommandReplyMessage(success, text), ManagementParser.Parse(line));
    }

    [Theory]
    [InlineData(">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info", "INFO")]
    [InlineData(">NOTIFY:info,server-pushed-connection-reset,", "NOTIFY")]
    public void Other_notifications_keep_their_kind(string line, string kind)
    {
        Assert.Equal(kind, Assert.IsType<NotificationMessage>(ManagementParser.Parse(line)).Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("END")]
    [InlineData(">")]
    [InlineData(">STATE:")]
    [InlineData(">STATE:notanumber,CONNECTED")]
    [InlineData(">BYTECOUNT:12")]
    [InlineData(">BYTECOUNT:-1,2")]
    [InlineData(">LOG:nonsense")]
    [InlineData("garbage \u0001 line")]
    public void Malformed_lines_become_other_messages_not_exceptions(string line)
    {
        Assert.IsType<OtherMessage>(ManagementParser.Parse(line));
    }
}
