namespace Galaxy.Agent.Dns;

/// <summary>Bounds of the DNS server's listeners.</summary>
internal sealed record DnsServerOptions
{
    /// <summary>UDP queries being resolved at once; a datagram past this is dropped (the client retries).</summary>
    public int MaxUdpInFlight { get; init; } = 1024;

    /// <summary>TCP clients served at once; a connection past this is closed at once.</summary>
    public int MaxTcpConnections { get; init; } = 128;

    /// <summary>A TCP client that sends no query for this long is closed (RFC 7766 §6.2.3 suggests seconds).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Transparent reply sockets kept, one per original destination (the resolvers clients aimed at).</summary>
    public int MaxReplySockets { get; init; } = 64;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxUdpInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTcpConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReplySockets, 1);
        if (TcpIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TcpIdleTimeout), TcpIdleTimeout, "the TCP idle timeout must be positive");
        }
    }
}
