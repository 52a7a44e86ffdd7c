using Galaxy.Agent.Dns;

namespace Galaxy.Agent.Control;

/// <summary>
/// The counters behind <c>GET /v1/metrics</c> besides the egresses and flows: the resolver's, the kill switch's
/// drop counters as the kernel holds them (per chain; empty when they could not be read), and the relays'.
/// </summary>
internal sealed record AgentCounters(DnsStatistics? Dns, IReadOnlyList<DropCounter> Drops, RelayCounters Relay, bool Lockdown);

/// <summary>What the counted drop rules of one chain of <c>table inet galaxy</c> have dropped.</summary>
internal sealed record DropCounter(string Chain, ulong Packets, ulong Bytes);

/// <summary>
/// Flows the relays did not carry: <paramref name="TcpRefused"/> (no egress for them, or refused by policy),
/// <paramref name="TcpDialFailures"/> (the egress could not reach the destination), <paramref name="UdpRefused"/>
/// (no egress, policy, or overload), and the ICMP unreachables sent back to UDP clients.
/// </summary>
internal sealed record RelayCounters(long TcpRefused, long TcpDialFailures, long UdpRefused, long UdpUnreachableSent);
