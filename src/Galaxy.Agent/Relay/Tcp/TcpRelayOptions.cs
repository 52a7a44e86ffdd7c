namespace Galaxy.Agent.Relay.Tcp;

/// <summary>Limits of the TCP relay.</summary>
internal sealed record TcpRelayOptions
{
    /// <summary>Flows relayed at once; past it the relay stops accepting (the kernel's backlog holds new SYNs).</summary>
    public int MaxConnections { get; init; } = 8000;

    /// <summary>How long an upstream may take to answer; the client is reset after it.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A flow with no byte either way for this long is closed (RFC 5382: at least 2 h 4 min).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(124);

    /// <summary>Keepalive probes on both sockets of each flow, so a vanished peer ends its flow (null: none).</summary>
    public TcpKeepAlive? KeepAlive { get; init; } = TcpKeepAlive.Default;

    /// <summary>
    /// Whether the route gets the name from the client's first bytes (TLS SNI, HTTP Host). Costs a short wait
    /// before each dial, so the agent turns it on only when a rule matches domains.
    /// </summary>
    public bool SniffDomain { get; init; }

    /// <summary>
    /// Asked for each new flow when <see cref="SniffDomain"/> is off: whether to sniff this one (the agent's
    /// current routing plan has a domain rule — a reload may add or remove them).
    /// </summary>
    public Func<bool>? SniffDomainWhen { get; init; }

    /// <summary>
    /// How long the relay waits for the client's first bytes when sniffing; then it routes without a name (a
    /// protocol whose server speaks first, like SSH or SMTP, sends nothing until connected).
    /// </summary>
    public TimeSpan SniffTimeout { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Listening sockets per address, sharing the port with SO_REUSEPORT; listener i is accepted from by splice
    /// loop i (modulo the loops), so as many listeners as loops spreads new flows over all of them. The agent
    /// and <c>galaxy relay</c> use one per loop.
    /// </summary>
    public int AcceptLoops { get; init; } = 1;

    /// <summary>Listen backlog of each listener.</summary>
    public int Backlog { get; init; } = 1024;
}
