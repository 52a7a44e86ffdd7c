using System.Collections.Immutable;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>The transport OpenVPN uses to reach a remote.</summary>
internal enum OvpnTransport
{
    Udp,
    Tcp,
}

/// <summary>
/// One endpoint of a profile, with the port and transport OpenVPN would use for it (the remote's own,
/// else <c>proto</c>/<c>port</c>/<c>rport</c> as OpenVPN inherits them, else udp 1194). The host is a
/// name or an address; Galaxy resolves and pins it before starting OpenVPN.
/// </summary>
/// <param name="IpVersion">4 or 6 when the profile said <c>udp4</c>, <c>tcp6-client</c>…; null otherwise.</param>
/// <param name="ConnectionOptions">The kept directives of the remote's <c>&lt;connection&gt;</c> block.</param>
internal sealed record OvpnRemote(
    string Host,
    int Port,
    OvpnTransport Transport,
    int? IpVersion,
    OvpnLocation Location,
    ImmutableArray<OvpnDirective> ConnectionOptions)
{
    public string ProtocolName => Transport == OvpnTransport.Udp ? "udp" : "tcp";

    public override string ToString() => $"{Host} {Port} {ProtocolName}";
}
