using System.Net;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// What <c>galaxy vps openvpn</c> is asked to produce: a server named for <see cref="Name"/> reachable at
/// <see cref="Endpoint"/> over <see cref="Transport"/>, handing out <see cref="Subnet"/>, and one client
/// profile called <c>NAME.ovpn</c>.
/// </summary>
/// <param name="Dns">Pushed to clients as <c>dhcp-option DNS</c> when set (a resolver the VPS offers); null pushes none.</param>
internal sealed record VpsServerSpec(string Name, VpsEndpoint Endpoint, OvpnTransport Transport, TunnelSubnet Subnet, IPAddress? Dns = null)
{
    public const int MaxNameLength = 48;

    /// <summary>The server certificate's common name; the client profile pins it with <c>verify-x509-name</c>.</summary>
    public string ServerCommonName => $"{Name}-server";

    public string ProtocolName => Transport == OvpnTransport.Udp ? "udp" : "tcp";

    /// <summary>
    /// The server's <c>proto</c>: udp6/tcp6 for an IPv6 endpoint (OpenVPN then listens dual-stack on ::),
    /// else udp/tcp, which OpenVPN 2.6 binds on IPv4 only — it works on hosts with IPv6 turned off.
    /// </summary>
    public string ServerProtocolName =>
        Endpoint.Host.Contains(':', StringComparison.Ordinal) ? ProtocolName + "6" : ProtocolName;

    /// <summary>
    /// A name is a file name and a certificate common name: a letter or digit, then letters, digits,
    /// '-', '_' or '.', at most <see cref="MaxNameLength"/> characters. Null when valid, else the reason.
    /// </summary>
    public static string? CheckName(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return $"'{name}': a name is 1 to {MaxNameLength} characters";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]) ||
            !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return $"'{name}': a name starts with a letter or digit and holds only letters, digits, '-', '_' and '.'";
        }

        return null;
    }
}
