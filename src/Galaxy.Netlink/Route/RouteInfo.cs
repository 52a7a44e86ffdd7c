using System.Net;

namespace Galaxy.Netlink.Route;

/// <summary>A route as the kernel reports it in a dump or an event.</summary>
/// <param name="Family">rtm_family.</param>
/// <param name="Destination">RTA_DST with rtm_dst_len; null for a default route.</param>
/// <param name="Type">rtm_type.</param>
/// <param name="Gateway">RTA_GATEWAY.</param>
/// <param name="OutputInterface">RTA_OIF.</param>
/// <param name="Table">RTA_TABLE (falling back to rtm_table).</param>
/// <param name="Metric">RTA_PRIORITY.</param>
/// <param name="Protocol">rtm_protocol.</param>
/// <param name="Scope">rtm_scope.</param>
public sealed record RouteInfo(
    IpFamily Family,
    IPNetwork? Destination,
    RouteType Type,
    IPAddress? Gateway,
    int? OutputInterface,
    uint Table,
    uint? Metric,
    byte Protocol,
    RouteScope Scope)
{
    public override string ToString() =>
        $"{RouteWords.Type(Type)} {IpText.Describe(Destination)}{(Gateway is null ? "" : $" via {Gateway}")}" +
        $"{(OutputInterface is null ? "" : $" oif {OutputInterface}")} table {Table}{(Metric is null ? "" : $" metric {Metric}")}" +
        $" proto {Protocol} scope {RouteWords.Scope(Scope)}";
}
