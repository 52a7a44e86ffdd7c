using System.Text;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// <c>NAME.ovpn</c>: the client profile with its credentials inline. It uses only directives Galaxy's
/// importer allows (<see cref="OvpnPolicy"/>), so <c>galaxy ovpn check</c> accepts it without a warning,
/// and it pins the server by its certificate's purpose (<c>remote-cert-tls server</c>) and common name.
/// </summary>
internal static class VpsClientProfile
{
    public static string FileName(VpsServerSpec spec) => spec.Name + ".ovpn";

    public static string Render(VpsServerSpec spec, PemCredential authority, PemCredential client, string tlsCryptKey)
    {
        var text = new StringBuilder();
        text.Append($"""
            # OpenVPN client profile "{spec.Name}", made by `galaxy vps openvpn`; it holds the client's private key.
            # Check it with: galaxy ovpn check {FileName(spec)}
            client
            dev tun
            remote {spec.Endpoint.Host} {spec.Endpoint.Port} {spec.ProtocolName}
            nobind
            resolv-retry infinite
            persist-key
            persist-tun
            remote-cert-tls server
            verify-x509-name {spec.ServerCommonName} name
            tls-version-min 1.2
            data-ciphers AES-256-GCM:CHACHA20-POLY1305

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (spec.Transport == OvpnTransport.Udp)
        {
            text.Append("explicit-exit-notify\n");
        }

        text.Append("verb 3\n");
        Block(text, "ca", authority.CertificatePem);
        Block(text, "cert", client.CertificatePem);
        Block(text, "key", client.PrivateKeyPem);
        Block(text, "tls-crypt", tlsCryptKey);
        return text.ToString();
    }

    private static void Block(StringBuilder text, string tag, string content)
    {
        text.Append('<').Append(tag).Append(">\n").Append(content);
        if (!content.EndsWith('\n'))
        {
            text.Append('\n');
        }

        text.Append("</").Append(tag).Append(">\n");
    }
}
