using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Tcp;

/// <summary>
/// TCP keepalive on both sockets of every relayed flow: after <see cref="Idle"/> without a segment the kernel
/// probes the peer every <see cref="Interval"/>, and after <see cref="Probes"/> unanswered probes the socket fails
/// (ETIMEDOUT), which ends the flow with a reset of the other side. A client VM that vanished, or a server that
/// is gone, so frees its flow long before the idle timeout instead of holding two descriptors for hours.
/// Accepted sockets inherit it from their listener; the upstream socket gets it once its flow has been quiet for a
/// second (<see cref="Splice.SpliceFlow.UpstreamKeepAlive"/>), so short flows spend no system call on it.
/// </summary>
internal sealed record TcpKeepAlive(TimeSpan Idle, TimeSpan Interval, int Probes)
{
    private const int SoKeepAlive = 9;
    private const int TcpKeepIdle = 4;
    private const int TcpKeepInterval = 5;
    private const int TcpKeepCount = 6;

    /// <summary>Probing starts after 5 minutes of silence: a dead peer is found within about 7 minutes.</summary>
    public static TcpKeepAlive Default { get; } = new(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), 4);

    /// <summary>Turns keepalive on for <paramref name="fd"/> (a listener passes it to what it accepts); false when the kernel refused.</summary>
    public unsafe bool Apply(int fd)
    {
        var values = stackalloc int[4]
        {
            1,
            (int)Math.Max(1, Idle.TotalSeconds),
            (int)Math.Max(1, Interval.TotalSeconds),
            Math.Max(1, Probes),
        };
        return Libc.SetSockOpt(fd, Libc.SolSocket, SoKeepAlive, &values[0], sizeof(int)) == 0
               & Libc.SetSockOpt(fd, Libc.SolTcp, TcpKeepIdle, &values[1], sizeof(int)) == 0
               & Libc.SetSockOpt(fd, Libc.SolTcp, TcpKeepInterval, &values[2], sizeof(int)) == 0
               & Libc.SetSockOpt(fd, Libc.SolTcp, TcpKeepCount, &values[3], sizeof(int)) == 0;
    }
}
