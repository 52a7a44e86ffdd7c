namespace Galaxy.Agent.Relay.Udp;

/// <summary>Limits of the UDP relay. Each session holds two descriptors.</summary>
internal sealed record UdpRelayOptions
{
    /// <summary>Sessions at once; the least recently used goes first.</summary>
    public int MaxSessions { get; init; } = 2048;

    /// <summary>Sessions of one client address; its own oldest goes first.</summary>
    public int MaxSessionsPerClient { get; init; } = 256;

    /// <summary>A session without a datagram either way for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>The idle timeout of DNS sessions (destination port 53): one question, one answer.</summary>
    public TimeSpan DnsIdleTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
