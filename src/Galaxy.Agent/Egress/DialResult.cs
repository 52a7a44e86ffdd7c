using System.Net.Sockets;

namespace Galaxy.Agent.Egress;

/// <summary>How a dial ended; the data path branches on this instead of catching exceptions.</summary>
internal enum DialOutcome
{
    Connected,
    Refused,
    Unreachable,
    TimedOut,
    /// <summary>Refused by policy or by the egress: the client is told (TCP reset, ICMP unreachable).</summary>
    Rejected,
    Failed,

    /// <summary>Refused silently by policy: the client is told nothing.</summary>
    Dropped,
}

/// <summary>
/// The outcome of one dial: a connected socket (owned by the caller from then on), or why not.
/// <see cref="EarlyData"/> holds bytes the upstream sent right after a proxy handshake, which belong to
/// the client before anything else.
/// </summary>
internal readonly record struct DialResult(DialOutcome Outcome, Socket? Socket, string? Reason, ReadOnlyMemory<byte> EarlyData = default)
{
    public static DialResult Connected(Socket socket, ReadOnlyMemory<byte> earlyData = default) =>
        new(DialOutcome.Connected, socket, null, earlyData);

    public static DialResult Failure(DialOutcome outcome, string reason) => new(outcome, null, reason);

    /// <summary>A failed connect or handshake read as the operator reads it ("host unreachable", not "HostUnreachable").</summary>
    public static DialResult FromSocketError(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => Failure(DialOutcome.Refused, "connection refused"),
        SocketError.NetworkUnreachable => Failure(DialOutcome.Unreachable, "network unreachable"),
        SocketError.HostUnreachable => Failure(DialOutcome.Unreachable, "host unreachable"),
        SocketError.NetworkDown => Failure(DialOutcome.Unreachable, "network down"),
        SocketError.HostDown => Failure(DialOutcome.Unreachable, "host down"),
        SocketError.TimedOut => Failure(DialOutcome.TimedOut, "timed out"),
        SocketError.ConnectionReset => Failure(DialOutcome.Failed, "connection reset"),
        SocketError.AccessDenied => Failure(DialOutcome.Failed, "not permitted by the router (its firewall, or a broadcast destination)"),
        SocketError.AddressNotAvailable => Failure(DialOutcome.Failed, "no local address or port left"),
        SocketError.TooManyOpenSockets => Failure(DialOutcome.Failed, "the router is out of descriptors"),
        _ => Failure(DialOutcome.Failed, error.ToString()),
    };
}
