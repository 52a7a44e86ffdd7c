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
    public static string Render(IReadOnlyList<EgressStatus> egresses, IReadOnlyList<Galaxy.Agent.Relay.FlowInfo> flows)
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

        text.Append("# HELP galaxy_flows Flows the relay carries now, by protocol.\n# TYPE galaxy_flows gauge\n");
        var tcp = flows.Count(f => f.Protocol == Galaxy.Agent.Relay.FlowProtocol.Tcp);
        text.Append(CultureInfo.InvariantCulture, $"galaxy_flows{{protocol=\"tcp\"}} {tcp}\n");
        text.Append(CultureInfo.InvariantCulture, $"galaxy_flows{{protocol=\"udp\"}} {flows.Count - tcp}\n");
        return text.ToString();
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
