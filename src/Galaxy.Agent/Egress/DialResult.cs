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

    public static DialResult FromSocketError(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => Failure(DialOutcome.Refused, "connection refused"),
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown =>
            Failure(DialOutcome.Unreachable, error.ToString()),
        SocketError.TimedOut => Failure(DialOutcome.TimedOut, "timed out"),
        _ => Failure(DialOutcome.Failed, error.ToString()),
    };
}
