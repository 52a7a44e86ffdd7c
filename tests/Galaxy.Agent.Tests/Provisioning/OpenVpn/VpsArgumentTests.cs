using Galaxy.Agent.Provisioning.OpenVpn;

namespace Galaxy.Agent.Tests.Provisioning.OpenVpn;

public sealed class VpsArgumentTests
{
    [Theory]
    [InlineData("203.0.113.1", "203.0.113.1", 1194)]
    [InlineData("203.0.113.1:443", "203.0.113.1", 443)]
    [InlineData("VPN.Example.net", "vpn.example.net", 1194)]
    [InlineData("vpn.example.net:1195", "vpn.example.net", 1195)]
    [InlineData("2001:db8::1", "2001:db8::1", 1194)]
    [InlineData("[2001:db8::1]:8443", "2001:db8::1", 8443)]
    public void Endpoints_are_a_host_and_an_optional_port(string text, string host, int port)
    {
        Assert.True(VpsEndpoint.TryParse(text, out var endpoint, out var error), $"'{text}' was refused: {error}");
        Assert.Equal(new VpsEndpoint(host, port), endpoint);
    }

    [Theory]
    [InlineData("", "neither")]
    [InlineData("vpn.example.net:0", "not a port")]
    [InlineData("vpn.example.net:65536", "not a port")]
    [InlineData("vpn.example.net:", "not a port")]
    [InlineData("vpn.example.net:12x", "not a port")]
    [InlineData("-vpn.example.net", "neither")]
    [InlineData("vpn_1.example.net", "neither")]
    [InlineData("vpn example.net", "neither")]
    [InlineData("300.1.1.1", "neither")]
    [InlineData("1.2.3", "neither")]
    [InlineData("0.0.0.0", "cannot be a server's address")]
    [InlineData("239.1.1.1", "cannot be a server's address")]
    [InlineData("[2001:db8::1", "without ']'")]
    [InlineData("[203.0.113.1]:1194", "not an IPv6 address")]
    [InlineData("2001:db8::zz", "not an IPv6 address")]
    [InlineData("host;rm -rf /", "neither")]
    public void Bad_endpoints_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(VpsEndpoint.TryParse(text, out var endpoint, out var error), $"'{text}' was accepted as {endpoint}");
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.8.0.0/24", "10.8.0.1", "255.255.255.0")]
    [InlineData("172.16.0.0/16", "172.16.0.1", "255.255.0.0")]
    [InlineData("198.51.100.8/29", "198.51.100.9", "255.255.255.248")]
    public void Subnets_give_the_server_the_first_address(string text, string server, string netmask)
    {
        Assert.True(TunnelSubnet.TryParse(text, out var subnet, out var error), error);
        Assert.Equal(server, subnet!.ServerAddress.ToString());
        Assert.Equal(netmask, subnet.Netmask.ToString());
        Assert.Equal(text, subnet.ToString());
    }

    [Theory]
    [InlineData("10.8.0.0", "CIDR")]
    [InlineData("10.8.0.0/33", "/16 to /29")]
    [InlineData("10.8.0.0/30", "/16 to /29")]
    [InlineData("10.0.0.0/8", "/16 to /29")]
    [InlineData("10.8.0.1/24", "host bits set; the network is 10.8.0.0/24")]
    [InlineData("127.0.0.0/24", "not usable")]
    [InlineData("169.254.0.0/16", "not usable")]
    [InlineData("2001:db8::/64", "CIDR")]
    public void Bad_subnets_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(TunnelSubnet.TryParse(text, out _, out var error), $"'{text}' was accepted");
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("home", true)]
    [InlineData("vps-1.fra_2", true)]
    [InlineData("", false)]
    [InlineData("-home", false)]
    [InlineData(".hidden", false)]
    [InlineData("a/b", false)]
    [InlineData("..", false)]
    [InlineData("home vpn", false)]
    [InlineData("héllo", false)]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij", false)]
    public void Names_are_safe_file_names_and_common_names(string name, bool valid)
    {
        var problem = VpsServerSpec.CheckName(name);
        Assert.True((problem is null) == valid, $"'{name}': expected {(valid ? "valid" : "refused")}, saw {problem ?? "valid"}");
    }
}
