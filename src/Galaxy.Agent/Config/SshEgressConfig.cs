using System.Net;

namespace Galaxy.Agent.Config;

/// <summary>
/// An SSH server used as a SOCKS5 upstream: <see cref="Connections"/> supervised <c>ssh -N -D</c> clients, each
/// authenticating with <see cref="Identity"/> and accepting only the host key pinned in <see cref="KnownHosts"/>.
/// </summary>
/// <param name="Endpoint">The server, an IP address and port (no host name: it is reached before any DNS exists).</param>
/// <param name="User">The account on the server (a forwarding-only one, as <c>galaxy vps ssh</c> makes).</param>
/// <param name="Identity">The private key file (absolute).</param>
/// <param name="KnownHosts">The pin file: the server's host key in <c>known_hosts</c> form (absolute).</param>
/// <param name="Connections">How many SSH connections carry the egress's flows (1 to <see cref="SshEgressConfig.MaxConnections"/>).</param>
internal sealed record SshEgressConfig(
    string Name,
    int Line,
    IPEndPoint Endpoint,
    string User,
    string Identity,
    string KnownHosts,
    int Connections) : EgressConfig(Name, Line)
{
    /// <summary>Connections when the key is not set: two, so one stalled connection does not stall every flow.</summary>
    public const int DefaultConnections = 2;

    /// <summary>The most connections one egress may open.</summary>
    public const int MaxConnections = 8;

    public override string Kind => "ssh";
}
