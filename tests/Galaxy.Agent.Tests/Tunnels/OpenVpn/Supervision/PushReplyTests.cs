using System.Net;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn.Supervision;

public sealed class PushReplyTests
{
    /// <summary>Logged by OpenVPN 2.6.14 (verb 3) from a lab server with topology subnet and IPv6.</summary>
    private const string Logged =
        "PUSH: Received control message: 'PUSH_REPLY,dhcp-option DNS 10.8.0.1,dhcp-option DNS6 fd00:8::1,redirect-gateway def1,tun-ipv6," +
        "route-gateway 10.8.0.1,topology subnet,ping 1,ping-restart 4,ifconfig-ipv6 fd00:8::1000/64 fd00:8::1,ifconfig 10.8.0.2 255.255.255.0," +
        "peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500'";

    [Fact]
    public void The_DNS_servers_and_tunnel_addresses_come_from_the_logged_push_reply()
    {
        var reply = PushReply.TryParseLog(Logged);
        Assert.NotNull(reply);
        Assert.Equal([IPAddress.Parse("10.8.0.1"), IPAddress.Parse("fd00:8::1")], reply.DnsServers);
        Assert.Equal(IPAddress.Parse("10.8.0.2"), reply.LocalIPv4);
        Assert.Equal(IPAddress.Parse("fd00:8::1000"), reply.LocalIPv6);
        Assert.False(reply.HasContinuation);
    }

    [Fact]
    public void The_dns_option_of_openvpn_2_6_is_read_with_ports_and_brackets()
    {
        var reply = PushReply.Parse("PUSH_REPLY,dns server 0 address 10.8.0.53 [fd00:8::53]:53 10.8.0.54:5353,dns search-domains example.net,ifconfig 10.8.0.6 10.8.0.5");
        Assert.Equal([IPAddress.Parse("10.8.0.53"), IPAddress.Parse("fd00:8::53"), IPAddress.Parse("10.8.0.54")], reply.DnsServers);
        Assert.Equal(IPAddress.Parse("10.8.0.6"), reply.LocalIPv4);
    }

    [Fact]
    public void A_continued_reply_is_merged()
    {
        var first = PushReply.Parse("PUSH_REPLY,dhcp-option DNS 10.8.0.1,push-continuation 2");
        var second = PushReply.Parse("PUSH_REPLY,dhcp-option DNS 10.8.0.2,dhcp-option DNS 10.8.0.1,ifconfig 10.8.0.2 255.255.255.0,push-continuation 1");
        Assert.True(first.HasContinuation);
        var merged = first.Merge(second);
        Assert.Equal([IPAddress.Parse("10.8.0.1"), IPAddress.Parse("10.8.0.2")], merged.DnsServers);
        Assert.Equal(IPAddress.Parse("10.8.0.2"), merged.LocalIPv4);
        Assert.False(merged.HasContinuation);
    }

    [Theory]
    [InlineData("Pushed option removed by filter: 'redirect-gateway def1'")]
    [InlineData("PUSH: Received control message: 'AUTH_FAILED'")]
    [InlineData("OPTIONS IMPORT: --ifconfig/up options modified")]
    public void Other_log_lines_are_not_push_replies(string text)
    {
        Assert.Null(PushReply.TryParseLog(text));
    }

    [Fact]
    public void Junk_addresses_are_skipped()
    {
        var reply = PushReply.Parse("PUSH_REPLY,dhcp-option DNS not-an-address,dhcp-option DOMAIN example.net,ifconfig fd00::1 64,dhcp-option DNS 10.8.0.1");
        Assert.Equal([IPAddress.Parse("10.8.0.1")], reply.DnsServers);
        Assert.Null(reply.LocalIPv4);
    }
}
