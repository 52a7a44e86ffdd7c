using Galaxy.Agent.Provisioning.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Provisioning.OpenVpn;

public sealed class VpsServerConfigTests
{
    [Fact]
    public void A_udp_server_is_hardened_and_names_its_files_relative_to_its_folder()
    {
        var lines = VpsClientProfileTests.Lines(VpsServerConfig.Render(VpsSamples.Spec(subnet: "198.51.100.0/24")));

        string[] expected =
        [
            "port 1194", "proto udp", "dev tun", "topology subnet", "server 198.51.100.0 255.255.255.0",
            "ca ca.crt", "cert server.crt", "key server.key", "tls-crypt tls-crypt.key", "dh none",
            "tls-version-min 1.2", "verify-client-cert require", "remote-cert-tls client",
            "data-ciphers AES-256-GCM:CHACHA20-POLY1305", "keepalive 10 60", "persist-key", "persist-tun",
            "user nobody", "group nogroup", "explicit-exit-notify 1", "push \"redirect-gateway def1\"",
        ];
        Assert.All(expected, line => Assert.True(lines.Contains(line), $"expected the line '{line}' in server.conf:\n{string.Join('\n', lines)}"));
        Assert.DoesNotContain(lines, l => l.StartsWith("comp", StringComparison.Ordinal) || l.StartsWith("cipher ", StringComparison.Ordinal) || l.Contains("dhcp-option", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tcp_server_has_no_exit_notify_and_an_IPv6_endpoint_listens_dual_stack()
    {
        var tcp = VpsClientProfileTests.Lines(VpsServerConfig.Render(VpsSamples.Spec("vpn.example.net:443", OvpnTransport.Tcp)));
        Assert.Contains("proto tcp", tcp);
        Assert.Contains("port 443", tcp);
        Assert.DoesNotContain(tcp, l => l.StartsWith("explicit-exit-notify", StringComparison.Ordinal));

        var v6 = VpsClientProfileTests.Lines(VpsServerConfig.Render(VpsSamples.Spec("[2001:db8::1]:1194")));
        Assert.Contains("proto udp6", v6);
    }

    [Fact]
    public void A_DNS_server_is_pushed_only_when_asked_for()
    {
        var spec = VpsSamples.Spec() with { Dns = System.Net.IPAddress.Parse("10.8.0.1") };
        Assert.Contains("push \"dhcp-option DNS 10.8.0.1\"", VpsClientProfileTests.Lines(VpsServerConfig.Render(spec)));
    }

    [Fact]
    public void The_install_script_copies_only_what_the_server_needs()
    {
        var script = VpsInstallScript.Render(VpsSamples.Spec(subnet: "10.9.0.0/24"));
        Assert.StartsWith("#!/bin/sh\n", script, StringComparison.Ordinal);
        Assert.Contains("SUBNET=10.9.0.0/24\n", script, StringComparison.Ordinal);
        Assert.Contains("apt-get install", script, StringComparison.Ordinal);
        Assert.Contains("apk add", script, StringComparison.Ordinal);
        Assert.Contains("masquerade", script, StringComparison.Ordinal);
        Assert.Contains("openvpn-server@server.service", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ca.key\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("cp ca.key", script, StringComparison.Ordinal);
        Assert.DoesNotContain(".ovpn\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', script);
    }
}
