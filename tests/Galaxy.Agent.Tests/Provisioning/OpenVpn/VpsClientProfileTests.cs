using System.Text;
using Galaxy.Agent.Provisioning.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Provisioning.OpenVpn;

public sealed class VpsClientProfileTests
{
    [Theory]
    [InlineData("203.0.113.1", "udp", "203.0.113.1 1194 udp")]
    [InlineData("vpn.example.net:443", "tcp", "vpn.example.net 443 tcp")]
    [InlineData("[2001:db8::1]:1195", "udp", "2001:db8::1 1195 udp")]
    public void The_profile_passes_Galaxys_import_with_no_error_and_no_warning(string endpoint, string protocol, string remote)
    {
        var transport = protocol == "tcp" ? OvpnTransport.Tcp : OvpnTransport.Udp;
        var bundle = VpsSamples.Bundle(VpsSamples.Spec(endpoint, transport));
        var profile = bundle.Files.Single(f => f.Name == "home.ovpn");

        var result = OvpnImporter.Import("home.ovpn", Encoding.UTF8.GetBytes(profile.Content), folder: null);

        Assert.True(result.IsImportable && result.Diagnostics.IsEmpty, $"expected no diagnostics, saw:\n{string.Join('\n', result.Diagnostics)}\n---\n{profile.Content}");
        Assert.Equal([remote], result.Remotes.Select(r => r.ToString()));
        var inline = result.Profile!.Directives.Where(d => d.Inline is not null).ToDictionary(d => d.Name, d => d.Inline);
        Assert.Equal(["ca", "cert", "key", "tls-crypt"], inline.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(bundle.Certificates.Authority.CertificatePem, inline["ca"]);
        Assert.Equal(bundle.Certificates.Client.CertificatePem, inline["cert"]);
        Assert.Equal(bundle.Certificates.Client.PrivateKeyPem, inline["key"]);
        Assert.Equal(bundle.TlsCryptKeyText, inline["tls-crypt"]);
    }

    [Fact]
    public void The_profile_verifies_the_server_and_matches_its_ciphers()
    {
        var bundle = VpsSamples.Bundle();
        var profile = Lines(bundle.Files.Single(f => f.Name == "home.ovpn").Content);
        var server = Lines(bundle.Files.Single(f => f.Name == "server.conf").Content);

        Assert.Contains("remote-cert-tls server", profile);
        Assert.Contains("verify-x509-name home-server name", profile);
        Assert.Contains("tls-version-min 1.2", profile);
        var ciphers = "data-ciphers AES-256-GCM:CHACHA20-POLY1305";
        Assert.Contains(ciphers, profile);
        Assert.Contains(ciphers, server);
        Assert.DoesNotContain(profile, l => l.StartsWith("comp", StringComparison.Ordinal) || l.StartsWith("redirect-gateway", StringComparison.Ordinal));
    }

    internal static string[] Lines(string text) => text.Split('\n');
}
