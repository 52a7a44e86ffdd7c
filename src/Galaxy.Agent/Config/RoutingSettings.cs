using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Config;

/// <summary>
/// Which traffic leaves where: the rules (first match wins), the groups they may name, and what takes the
/// flows no rule matched. <see cref="ConfigLoader"/> has already checked every name a rule or group uses.
/// </summary>
/// <param name="Default">The egress or group for unmatched flows; null means <see cref="ImplicitDefaultGroup"/>.</param>
/// <param name="GeoIpDatabase">A MaxMind DB country database; needed by country rules and nearest groups.</param>
/// <param name="CountriesFile">world-countries' countries.json (coordinates of each country); null: a small built-in table.</param>
/// <param name="SniffTimeout">How long the relay waits for a TCP client's first bytes (TLS SNI, HTTP Host) when a rule needs the domain.</param>
internal sealed record RoutingSettings(
    string? Default,
    string? GeoIpDatabase,
    string? CountriesFile,
    TimeSpan SniffTimeout,
    ImmutableArray<GroupConfig> Groups,
    ImmutableArray<RouteRule> Rules)
{
    /// <summary>The group made when no default is named: failover over every egress but <c>direct</c>, in file order.</summary>
    public const string ImplicitDefaultGroup = "default";

    public static RoutingSettings Empty { get; } = new(null, null, null, TimeSpan.FromMilliseconds(300), [], []);

    /// <summary>Whether any rule matches on the destination's name (the relay then sniffs TCP flows' first bytes).</summary>
    public bool NeedsDomains => Rules.Any(r => !r.Domains.IsDefaultOrEmpty);
}

/// <summary>One <c>[[group]]</c>: a strategy choosing among healthy member egresses.</summary>
/// <param name="Strategy">failover, round-robin, least-connections, consistent-hash, lowest-latency or nearest.</param>
/// <param name="HoldDown">failover: how long a recovered member must stay up before it takes traffic back.</param>
/// <param name="Hash">consistent-hash: the client's or the destination's address.</param>
/// <param name="Tolerance">lowest-latency: how much faster another member must be to take over.</param>
/// <param name="ToleranceFraction">lowest-latency: the same as a fraction of the current member's latency.</param>
/// <param name="Probe">lowest-latency: the address a TCP connect through each member is timed against.</param>
/// <param name="ProbeInterval">lowest-latency: time between two probe rounds.</param>
internal sealed record GroupConfig(
    string Name,
    int Line,
    string Strategy,
    ImmutableArray<string> Members,
    TimeSpan HoldDown,
    HashKey Hash,
    TimeSpan Tolerance,
    double ToleranceFraction,
    IPEndPoint? Probe,
    TimeSpan ProbeInterval);
