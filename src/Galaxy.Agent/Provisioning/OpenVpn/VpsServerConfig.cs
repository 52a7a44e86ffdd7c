using System.Text;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// The server's <c>server.conf</c>. It names its files relative to its own folder, so it runs as
/// <c>openvpn --cd DIR --config server.conf</c> — what Debian's <c>openvpn-server@server</c> unit does
/// for <c>/etc/openvpn/server</c>, and what the tests do for the output folder.
/// </summary>
internal static class VpsServerConfig
{
    public const string FileName = "server.conf";

    public static string Render(VpsServerSpec spec)
    {
        var udp = spec.Transport == OvpnTransport.Udp;
        var text = new StringBuilder();
        text.Append($"""
            # OpenVPN server "{spec.Name}", made by `galaxy vps openvpn`.
            # Clients reach it at {spec.Endpoint.Host} port {spec.Endpoint.Port}/{spec.ProtocolName}.
            # Files are named relative to this folder: openvpn --cd THIS_FOLDER --config {FileName}
            # (install.sh installs it as a service in /etc/openvpn/server).

            port {spec.Endpoint.Port}
            proto {spec.ServerProtocolName}
            dev tun
            topology subnet
            server {spec.Subnet.Network} {spec.Subnet.Netmask}

            # TLS: EC P-256 certificates from our own CA, ECDHE key exchange (no DH parameters), TLS 1.2 or newer;
            # every packet of the TLS handshake is encrypted and authenticated with the tls-crypt key.
            ca {VpsServerBundle.CaCertificate}
            cert {VpsServerBundle.ServerCertificate}
            key {VpsServerBundle.ServerKey}
            tls-crypt {VpsServerBundle.TlsCryptKeyFile}
            dh none
            tls-version-min 1.2
            verify-client-cert require
            remote-cert-tls client

            # Data channel: AEAD ciphers only, no compression.
            data-ciphers AES-256-GCM:CHACHA20-POLY1305

            keepalive 10 60
            persist-key
            persist-tun
            user nobody
            group nogroup

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (udp)
        {
            text.Append("explicit-exit-notify 1\n");
        }

        text.Append("\n# For ordinary clients: send all IPv4 traffic through the tunnel. Galaxy ignores what the server pushes.\n");
        text.Append("push \"redirect-gateway def1\"\n");
        if (spec.Dns is { } dns)
        {
            text.Append($"push \"dhcp-option DNS {dns}\"\n");
        }

        text.Append("verb 3\n");
        return text.ToString();
    }
}
