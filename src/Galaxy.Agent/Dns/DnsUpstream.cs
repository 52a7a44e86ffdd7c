using System.Net;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Dns;

/// <summary>Where queries go right now: the resolvers (tried in order) and the egress that reaches them.</summary>
internal sealed record DnsUpstream(IEgressDialer Dialer, IReadOnlyList<IPEndPoint> Servers);

/// <summary>
/// The upstream of the moment, asked for every query that misses the cache; null when no egress is up, which
/// makes the forwarder answer SERVFAIL at once (fail closed: a query never goes anywhere but an egress).
/// </summary>
internal delegate DnsUpstream? DnsUpstreamSource();
