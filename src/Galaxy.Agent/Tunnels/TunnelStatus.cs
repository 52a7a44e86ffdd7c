using System.Collections.Immutable;
using System.Net;

namespace Galaxy.Agent.Tunnels;

/// <summary>
/// One snapshot of a tunnel, whatever its kind. Supervisors publish a new one when the state, its reason,
/// its detail, the attempt or the pushed addresses change; byte counts update <c>Current</c> without a
/// publication (they tick every second).
/// </summary>
/// <param name="State">Where the tunnel stands.</param>
/// <param name="Since">When <paramref name="State"/> took its present value.</param>
internal sealed record TunnelStatus(TunnelState State, DateTimeOffset Since)
{
    /// <summary>The tunnel's device (<c>galaxy-ovpn0</c>).</summary>
    public required string DeviceName { get; init; }

    /// <summary>Why the tunnel is in this state, in words (a reconnect reason, the refused credential, the exit code).</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// The tunnel program's own word for its phase (OpenVPN: <c>WAIT</c>, <c>AUTH</c>, <c>GET_CONFIG</c>,
    /// <c>ASSIGN_IP</c>, <c>CONNECTED</c>, <c>RECONNECTING</c>, <c>EXITING</c>), or the supervisor's:
    /// <c>START</c> (process starting), <c>HOLD</c> (waiting for release), <c>RELEASED</c> (an attempt began).
    /// </summary>
    public string? Detail { get; init; }

    /// <summary>Attempts started since the tunnel was last connected (0 while connected).</summary>
    public int Attempt { get; init; }

    /// <summary>The tunnel's own IPv4 address, as of the last connection.</summary>
    public IPAddress? LocalIPv4 { get; init; }

    /// <summary>The tunnel's own IPv6 address, as of the last connection.</summary>
    public IPAddress? LocalIPv6 { get; init; }

    /// <summary>DNS servers the other end pushed (OpenVPN: <c>dhcp-option DNS</c>/<c>DNS6</c>, <c>dns server … address</c>).</summary>
    public ImmutableArray<IPAddress> DnsServers { get; init; } = [];

    /// <summary>Bytes received on the tunnel's transport since the program started.</summary>
    public long BytesIn { get; init; }

    /// <summary>Bytes sent on the tunnel's transport since the program started.</summary>
    public long BytesOut { get; init; }

    /// <summary>When <see cref="BytesIn"/> last grew: the other end is alive (keepalive pings count).</summary>
    public DateTimeOffset? BytesInMovedAt { get; init; }

    /// <summary>When <see cref="BytesOut"/> last grew.</summary>
    public DateTimeOffset? BytesOutMovedAt { get; init; }

    /// <summary>True when the tunnel can carry traffic.</summary>
    public bool IsUp => State == TunnelState.Connected;
}
