namespace Galaxy.Agent.Dns;

/// <summary>
/// A snapshot of the forwarder's counters since it started.
/// <para><see cref="Queries"/>: queries read (well-formed or not); <see cref="CacheHits"/>: answered from the
/// cache; <see cref="UpstreamQueries"/>: exchanges with an upstream server (each try counts);
/// <see cref="UpstreamFailures"/>: exchanges that got no usable reply (timeout, refused, bad reply);
/// <see cref="ServerFailures"/>: SERVFAIL replies the forwarder made itself (egress down, every upstream failed);
/// <see cref="Malformed"/>: queries answered FORMERR/NOTIMP or dropped; <see cref="TcpFallbacks"/>: truncated UDP
/// replies asked again over TCP.</para>
/// </summary>
internal sealed record DnsStatistics(
    long Queries, long CacheHits, long UpstreamQueries, long UpstreamFailures, long ServerFailures, long Malformed, long TcpFallbacks);
