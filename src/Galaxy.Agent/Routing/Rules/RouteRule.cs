using System.Collections.Immutable;
using System.Net;
using System.Text;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// One routing rule. Every criterion that is set must match (AND); within a criterion, any of its values
/// may match (OR); an empty criterion matches everything. In a <see cref="RouteTable"/> the first
/// matching rule wins.
/// </summary>
internal sealed record RouteRule
{
    /// <summary>The rule's name, for logs and <c>galaxy route explain</c>.</summary>
    public required string Name { get; init; }

    public required RouteAction Action { get; init; }

    /// <summary>Line in the configuration file (0 when not from a file).</summary>
    public int Line { get; init; }

    /// <summary>Client addresses (IPv4 or IPv6 CIDRs).</summary>
    public ImmutableArray<IPNetwork> Sources { get; init; } = [];

    /// <summary>LAN interfaces the flow may arrive on.</summary>
    public ImmutableArray<string> LanInterfaces { get; init; } = [];

    /// <summary>Destination CIDRs (IPv4 or IPv6); compiled into a prefix index.</summary>
    public ImmutableArray<IPNetwork> Destinations { get; init; } = [];

    /// <summary>Destination ports.</summary>
    public ImmutableArray<PortRange> Ports { get; init; } = [];

    /// <summary>TCP or UDP; null for both.</summary>
    public RouteProtocol? Protocol { get; init; }

    /// <summary>Destination names (exact, suffix, keyword); a flow without a known name never matches.</summary>
    public ImmutableArray<DomainPattern> Domains { get; init; } = [];

    /// <summary>ISO 3166-1 alpha-2 countries of the destination (GeoIP); an address of unknown country never matches.</summary>
    public ImmutableArray<string> Countries { get; init; } = [];

    /// <summary>The criteria in the configuration's words, e.g. <c>dst 203.0.113.0/24, port 443, proto tcp</c>.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        Append(text, "src", Sources);
        Append(text, "lan", LanInterfaces);
        Append(text, "dst", Destinations);
        Append(text, "port", Ports);
        if (Protocol is { } protocol)
        {
            Append(text, "proto", [protocol == RouteProtocol.Tcp ? "tcp" : "udp"]);
        }

        Append(text, "domain", Domains);
        Append(text, "country", Countries);
        return text.Length == 0 ? "any flow" : text.ToString();
    }

    private static void Append<T>(StringBuilder text, string word, ImmutableArray<T> values)
    {
        if (values.IsDefaultOrEmpty)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(", ");
        }

        text.Append(word).Append(' ').AppendJoin(' ', values);
    }
}
