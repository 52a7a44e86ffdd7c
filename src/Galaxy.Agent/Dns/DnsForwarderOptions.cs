namespace Galaxy.Agent.Dns;

/// <summary>Timeouts of the forwarder's upstream exchanges.</summary>
internal sealed record DnsForwarderOptions
{
    /// <summary>How long one UDP try waits for its reply before the next server is asked.</summary>
    public TimeSpan UdpTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one TCP exchange (connect, query, whole reply) may take.</summary>
    public TimeSpan TcpTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How many times the server list is walked before giving up (each server once per round).</summary>
    public int Rounds { get; init; } = 1;

    public void Validate()
    {
        if (UdpTimeout <= TimeSpan.Zero || TcpTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(UdpTimeout), "DNS upstream timeouts must be positive");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Rounds, 1);
    }
}
