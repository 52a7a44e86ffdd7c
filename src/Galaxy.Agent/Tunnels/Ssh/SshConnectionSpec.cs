using System.Globalization;
using System.Net;
using Galaxy.Agent.Routing.Policy;

namespace Galaxy.Agent.Tunnels.Ssh;

/// <summary>
/// Everything one <c>ssh -N -D</c> process of an SSH egress is started with.
/// </summary>
/// <param name="Egress">The egress's name (logs).</param>
/// <param name="Index">Which of the egress's connections (0-based).</param>
/// <param name="Server">The pinned server address and port.</param>
/// <param name="User">The account on the server.</param>
/// <param name="Identity">The private key file.</param>
/// <param name="KnownHosts">The pin file (the server's host key).</param>
/// <param name="SocksPort">The loopback port of the dynamic forward (<c>-D 127.0.0.1:PORT</c>).</param>
/// <param name="Gid">The numeric group the process runs with; the firewall knows its packets by it.</param>
/// <param name="BindInterface">A tunnel device the connection must use (<c>via</c> an OpenVPN egress), or null for the WAN.</param>
internal sealed record SshConnectionSpec(
    string Egress,
    int Index,
    IPEndPoint Server,
    string User,
    string Identity,
    string KnownHosts,
    int SocksPort,
    uint Gid,
    string? BindInterface)
{
    /// <summary>The first loopback port of the dynamic forwards: below Linux's ephemeral range (32768–60999).</summary>
    public const int SocksPortBase = 17000;

    /// <summary>
    /// The first numeric group of SSH processes: one per egress slot (0x4900 + slot, like the process mark).
    /// No <c>/etc/group</c> entry is needed: setpriv and nft take the number.
    /// </summary>
    public const uint GidBase = 0x4900;

    /// <summary>The loopback port of connection <paramref name="index"/> of the egress in <paramref name="slot"/>.</summary>
    public static int SocksPortOf(EgressSlot slot, int index) =>
        SocksPortBase + (slot.Index * Config.SshEgressConfig.MaxConnections) + index;

    /// <summary>The group of every SSH process of the egress in <paramref name="slot"/>.</summary>
    public static uint GidOf(EgressSlot slot) => GidBase + (uint)slot.Index;

    /// <summary>A short label for logs: <c>nyc#1</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Egress}#{Index}");
}
