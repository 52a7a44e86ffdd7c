using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Control;

/// <summary>
/// The Prometheus text exposition (format 0.0.4) of <c>GET /v1/metrics</c>, a pure function of the egresses and
/// flows. Label values are escaped (backslash, double quote, newline).
/// <code>
/// # HELP galaxy_egress_up 1 when the egress can carry traffic.
/// # TYPE galaxy_egress_up gauge
/// galaxy_egress_up{egress="wg0"} 1
/// </code>
/// </summary>
internal static class MetricsText
{
    public static string Render(IReadOnlyList<EgressStatus> egresses, IReadOnlyList<Galaxy.Agent.Relay.FlowInfo> flows, AgentCounters? counters = null)
    {
        var text = new StringBuilder();
        text.Append("# HELP galaxy_egress_up 1 when the egress can carry traffic, else 0.\n# TYPE galaxy_egress_up gauge\n");
        foreach (var egress in egresses)
        {
            text.Append(CultureInfo.InvariantCulture, $"galaxy_egress_up{{egress=\"{Escape(egress.Name)}\"}} {(egress.Up ? 1 : 0)}\n");
        }

        text.Append("# HELP galaxy_egress_bytes_total Bytes relayed through the egress; up = towards the destination.\n# TYPE galaxy_egress_bytes_total counter\n");
        foreach (var egress in egresses)
        {
            var name = Escape(egress.Name);
            text.Append(CultureInfo.InvariantCulture, $"galaxy_egress_bytes_total{{egress=\"{name}\",direction=\"up\"}} {egress.BytesUp}\n");
            text.Append(CultureInfo.InvariantCulture, $"galaxy_egress_bytes_total{{egress=\"{name}\",direction=\"down\"}} {egress.BytesDown}\n");
        }

        text.Append("# HELP galaxy_connections Flows the egress carries now.\n# TYPE galaxy_connections gauge\n");
        foreach (var egress in egresses)
        {
            text.Append(CultureInfo.InvariantCulture, $"galaxy_connections{{egress=\"{Escape(egress.Name)}\"}} {egress.Connections}\n");
        }

        text.Append("# HELP galaxy_egress_dial_failures_total Flows the egress could not dial (refused, unreachable, timed out, refused by its proxy); refusals by policy are not counted.\n# TYPE galaxy_egress_dial_failures_total counter\n");
        foreach (var egress in egresses)
        {
            text.Append(CultureInfo.InvariantCulture, $"galaxy_egress_dial_failures_total{{egress=\"{Escape(egress.Name)}\"}} {egress.DialFailures}\n");
        }

        text.Append("# HELP galaxy_flows Flows the relay carries now, by protocol.\n# TYPE galaxy_flows gauge\n");
        var tcp = flows.Count(f => f.Protocol == Galaxy.Agent.Relay.FlowProtocol.Tcp);
        text.Append(CultureInfo.InvariantCulture, $"galaxy_flows{{protocol=\"tcp\"}} {tcp}\n");
        text.Append(CultureInfo.InvariantCulture, $"galaxy_flows{{protocol=\"udp\"}} {flows.Count - tcp}\n");
        if (counters is not null)
        {
            RenderCounters(text, counters);
        }

        return text.ToString();
    }

    private static void RenderCounters(StringBuilder text, AgentCounters counters)
    {
        Family(text, "galaxy_lockdown", "gauge", "1 while the agent is in lockdown (no LAN flow leaves), else 0.");
        Sample(text, "galaxy_lockdown", "", counters.Lockdown ? 1 : 0);

        Family(text, "galaxy_killswitch_dropped_packets_total", "counter", "Packets the kill switch's counted drop rules dropped, per chain (read from the nft counters).");
        foreach (var drop in counters.Drops)
        {
            Sample(text, "galaxy_killswitch_dropped_packets_total", $"chain=\"{Escape(drop.Chain)}\"", drop.Packets);
        }

        Family(text, "galaxy_killswitch_dropped_bytes_total", "counter", "Bytes the kill switch's counted drop rules dropped, per chain (read from the nft counters).");
        foreach (var drop in counters.Drops)
        {
            Sample(text, "galaxy_killswitch_dropped_bytes_total", $"chain=\"{Escape(drop.Chain)}\"", drop.Bytes);
        }

        var relay = counters.Relay;
        Family(text, "galaxy_relay_refused_total", "counter", "Flows the relay refused: no egress for them, refused by policy, or (UDP) overload.");
        Sample(text, "galaxy_relay_refused_total", "protocol=\"tcp\"", relay.TcpRefused);
        Sample(text, "galaxy_relay_refused_total", "protocol=\"udp\"", relay.UdpRefused);
        Family(text, "galaxy_relay_dial_failures_total", "counter", "TCP flows whose egress could not reach the destination (refused, unreachable, timed out).");
        Sample(text, "galaxy_relay_dial_failures_total", "protocol=\"tcp\"", relay.TcpDialFailures);
        Family(text, "galaxy_relay_udp_unreachable_sent_total", "counter", "ICMP unreachables sent back to UDP clients whose flow was refused.");
        Sample(text, "galaxy_relay_udp_unreachable_sent_total", "", relay.UdpUnreachableSent);

        if (counters.Dns is { } dns)
        {
            Family(text, "galaxy_dns_queries_total", "counter", "DNS queries the agent's resolver read (well-formed or not).");
            Sample(text, "galaxy_dns_queries_total", "", dns.Queries);
            Family(text, "galaxy_dns_cache_hits_total", "counter", "DNS queries answered from the cache.");
            Sample(text, "galaxy_dns_cache_hits_total", "", dns.CacheHits);
            Family(text, "galaxy_dns_servfail_total", "counter", "SERVFAIL answers the resolver made itself (no egress up, every upstream failed).");
            Sample(text, "galaxy_dns_servfail_total", "", dns.ServerFailures);
            Family(text, "galaxy_dns_upstream_queries_total", "counter", "Exchanges with an upstream server (each try counts).");
            Sample(text, "galaxy_dns_upstream_queries_total", "", dns.UpstreamQueries);
            Family(text, "galaxy_dns_upstream_failures_total", "counter", "Upstream exchanges that got no usable reply (timeout, refused, bad reply).");
            Sample(text, "galaxy_dns_upstream_failures_total", "", dns.UpstreamFailures);
            Family(text, "galaxy_dns_malformed_total", "counter", "Queries answered FORMERR/NOTIMP or dropped as malformed.");
            Sample(text, "galaxy_dns_malformed_total", "", dns.Malformed);
            Family(text, "galaxy_dns_tcp_fallbacks_total", "counter", "Truncated UDP replies asked again over TCP.");
            Sample(text, "galaxy_dns_tcp_fallbacks_total", "", dns.TcpFallbacks);
        }
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Sample(StringBuilder text, string name, string labels, decimal value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}{(labels.Length == 0 ? "" : $"{{{labels}}}")} {value}\n");

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
