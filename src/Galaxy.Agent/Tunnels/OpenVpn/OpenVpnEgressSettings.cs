using System.Collections.Immutable;
using System.Net;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>
/// One remote of a profile after the agent resolved it once: the address OpenVPN must use (and the only
/// one the firewall lets this egress's mark reach), the port, the transport, and which
/// <see cref="OvpnProfile.Remotes"/> entry it came from.
/// </summary>
internal sealed record PinnedRemote(IPAddress Address, int Port, OvpnTransport Transport, int RemoteIndex)
{
    /// <summary>OpenVPN's protocol word for this remote, with the family of its address (udp4, tcp6-client, …).</summary>
    public string ProtocolWord => (Transport, Address.AddressFamily) switch
    {
        (OvpnTransport.Udp, System.Net.Sockets.AddressFamily.InterNetwork) => "udp4",
        (OvpnTransport.Udp, _) => "udp6",
        (OvpnTransport.Tcp, System.Net.Sockets.AddressFamily.InterNetwork) => "tcp4-client",
        _ => "tcp6-client",
    };
}

/// <summary>What Galaxy decides for one OpenVPN egress; the profile decides only crypto and protocol.</summary>
/// <param name="DeviceName">The tun device OpenVPN creates (at most 15 bytes, [A-Za-z0-9_.-]).</param>
/// <param name="Mark">The socket mark of OpenVPN's own packets, 1 to 2147483647 (OpenVPN parses it with <c>atoi</c>).</param>
/// <param name="ManagementSocket">Absolute path of the management Unix socket (at most 107 bytes: <c>sun_path</c>).</param>
/// <param name="RuntimeDirectory">Absolute directory where Galaxy writes the sanitized configuration.</param>
/// <param name="Remotes">The pinned remotes, in the order OpenVPN should try them.</param>
/// <param name="Executable">The OpenVPN binary.</param>
internal sealed record OpenVpnEgressSettings(
    string DeviceName,
    int Mark,
    string ManagementSocket,
    string RuntimeDirectory,
    ImmutableArray<PinnedRemote> Remotes,
    string Executable = "/usr/sbin/openvpn");
