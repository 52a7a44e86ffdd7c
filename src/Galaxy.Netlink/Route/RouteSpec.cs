using System.Net;
using System.Text;

namespace Galaxy.Netlink.Route;

/// <summary>
/// A route to add, replace or delete: <c>ip route add 10.8.0.0/16 via 10.9.0.2 dev va table 300</c>.
/// The output interface is given by index or by name; the client fills in the other one.
/// </summary>
public sealed record RouteSpec
{
    public required IpFamily Family { get; init; }

    /// <summary>The destination prefix; null is the default route.</summary>
    public IPNetwork? Destination { get; init; }

    public RouteType Type { get; init; } = RouteType.Unicast;

    public IPAddress? Gateway { get; init; }

    /// <summary>The output interface index (RTA_OIF).</summary>
    public int? OutputInterface { get; init; }

    /// <summary>The output interface name, for the command text (and to find the index).</summary>
    public string? OutputInterfaceName { get; init; }

    /// <summary>The routing table: 254 is main; in the header when below 256, RTA_TABLE otherwise.</summary>
    public uint Table { get; init; } = RtnlProtocol.TableMain;

    /// <summary>RTA_PRIORITY (the metric); none lets the kernel choose (0 for IPv4, 1024 for IPv6).</summary>
    public uint? Metric { get; init; }

    /// <summary>rtm_protocol: who installed the route. BOOT (3) as iproute2 by default.</summary>
    public byte Protocol { get; init; } = RtnlProtocol.ProtocolBoot;

    /// <summary>An explicit scope; when null, <see cref="EffectiveScope"/> decides.</summary>
    public RouteScope? Scope { get; init; }

    /// <summary>HOST for local routes, LINK for a unicast route through a device alone, UNIVERSE otherwise.</summary>
    public RouteScope EffectiveScope => Scope ?? DefaultScope;

    private RouteScope DefaultScope => Type switch
    {
        RouteType.Local => RouteScope.Host,
        RouteType.Unicast when Gateway is null && (OutputInterface is not null || OutputInterfaceName is not null) => RouteScope.Link,
        _ => RouteScope.Universe,
    };

    /// <summary>The equivalent <c>ip route</c> command (<c>verb</c> is add, replace or del).</summary>
    public string ToIpCommand(string verb = "add")
    {
        var text = new StringBuilder("ip ");
        if (Family == IpFamily.IPv6)
        {
            text.Append("-6 ");
        }

        text.Append("route ").Append(verb).Append(' ');
        if (Type != RouteType.Unicast)
        {
            text.Append(RouteWords.Type(Type)).Append(' ');
        }

        text.Append(IpText.Describe(Destination));
        if (Gateway is not null)
        {
            text.Append(" via ").Append(Gateway);
        }

        if (OutputInterfaceName is not null)
        {
            text.Append(" dev ").Append(OutputInterfaceName);
        }
        else if (OutputInterface is not null)
        {
            text.Append(" dev ifindex-").Append(OutputInterface.Value);
        }

        if (Table != RtnlProtocol.TableMain)
        {
            text.Append(" table ").Append(IpText.Number(Table));
        }

        if (Protocol != RtnlProtocol.ProtocolBoot)
        {
            text.Append(" proto ").Append(Protocol);
        }

        if (Scope is { } scope && scope != DefaultScope)
        {
            text.Append(" scope ").Append(RouteWords.Scope(scope));
        }

        if (Metric is { } metric)
        {
            text.Append(" metric ").Append(IpText.Number(metric));
        }

        return text.ToString();
    }

    public override string ToString() => ToIpCommand();
}
