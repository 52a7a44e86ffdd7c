using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Config;

/// <summary>
/// The routing part of <c>galaxy.toml</c>: <c>[routing]</c>, <c>[[group]]</c>, <c>[[rule]]</c>, <c>[[client]]</c>,
/// and each egress's <c>exit</c> / <c>location</c>. Every name a rule or group uses is checked here, so the
/// agent never meets a rule pointing nowhere.
/// </summary>
internal static partial class ConfigLoader
{
    private static readonly string[] Strategies = ["failover", "round-robin", "least-connections", "consistent-hash", "lowest-latency", "nearest"];

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCodePattern();

    /// <summary>Reads <c>exit</c> (an ISO 3166-1 alpha-2 country) and <c>location</c> ([latitude, longitude]) of an egress.</summary>
    private static ExitLocation? ReadExit(TomlSection section)
    {
        var country = section.String("exit");
        if (country is not null && !CountryCodePattern().IsMatch(country.ToUpperInvariant()))
        {
            section.Error(section.LineOfKey("exit"), $"'exit' must be a two-letter country code (ISO 3166-1 alpha-2, e.g. \"US\"), not '{country}'");
            country = null;
        }

        GeoPoint? point = null;
        if (section.NumberList("location") is { } numbers)
        {
            if (numbers is [var latitude, var longitude] && latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180)
            {
                point = new GeoPoint(latitude, longitude);
            }
            else
            {
                section.Error(section.LineOfKey("location"), "'location' must be [latitude, longitude] in degrees, e.g. [40.71, -74.01]");
            }
        }

        return country is null && point is null ? null : new ExitLocation(country?.ToUpperInvariant(), point);
    }

    private static RoutingSettings ReadRouting(
        TomlSection section,
        List<TomlSection> groupSections,
        List<TomlSection> ruleSections,
        List<TomlSection> clientSections,
        RouterSettings? router,
        ImmutableArray<EgressConfig> egresses,
        string baseDirectory)
    {
        // Duplicate egress names were reported already; the first of each name stands for it here.
        var egressNames = egresses.DistinctBy(e => e.Name, StringComparer.Ordinal).ToDictionary(e => e.Name, StringComparer.Ordinal);
        var geoip = FilePath(section, "geoip", baseDirectory);
        var countries = FilePath(section, "countries", baseDirectory);
        var sniff = TimeSpan.FromMilliseconds(section.Integer("sniff-timeout-ms", 10, 5000, 300)!.Value);
        var defaultTarget = section.String("default");
        section.ReportUnknownKeys();
        CheckGeoIp(section, geoip);
        CheckCountries(section, countries);

        var groups = ReadGroups(groupSections, egressNames, geoip is not null);
        var groupNames = groups.DistinctBy(g => g.Name, StringComparer.Ordinal).ToDictionary(g => g.Name, StringComparer.Ordinal);
        if (defaultTarget is not null && !egressNames.ContainsKey(defaultTarget) && !groupNames.ContainsKey(defaultTarget))
        {
            section.Error(section.LineOfKey("default"), $"'default' names '{defaultTarget}', which is neither an egress nor a group");
        }

        if (defaultTarget is null && groupNames.ContainsKey(RoutingSettings.ImplicitDefaultGroup))
        {
            defaultTarget = RoutingSettings.ImplicitDefaultGroup;
        }

        var clients = ReadClients(clientSections);
        var rules = ReadRules(ruleSections, router, clients, egressNames, groupNames, geoip is not null);
        return new RoutingSettings(defaultTarget, geoip, countries, sniff, groups, rules);
    }

    private static string? FilePath(TomlSection section, string key, string baseDirectory)
    {
        var text = section.String(key);
        return string.IsNullOrEmpty(text) ? null : System.IO.Path.GetFullPath(text, baseDirectory);
    }

    private static void CheckGeoIp(TomlSection section, string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            MaxMindCountryLookup.Open(path).Dispose();
        }
        catch (InvalidOperationException e)
        {
            section.Error(section.LineOfKey("geoip"), e.Message);
        }
    }

    private static void CheckCountries(TomlSection section, string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            WorldCountries.Load(path);
        }
        catch (InvalidOperationException e)
        {
            section.Error(section.LineOfKey("countries"), e.Message);
        }
    }

    private static ImmutableArray<GroupConfig> ReadGroups(List<TomlSection> sections, Dictionary<string, EgressConfig> egresses, bool hasGeoIp)
    {
        var result = ImmutableArray.CreateBuilder<GroupConfig>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var name = section.RequiredString("name");
            if (name is not null)
            {
                if (!EgressNamePattern().IsMatch(name))
                {
                    section.Error(section.LineOfKey("name"), $"group name '{name}' must be 1 to 15 characters: a lower-case letter, then letters, digits or '-'");
                    name = null;
                }
                else if (egresses.ContainsKey(name) || name is "reject" or "drop")
                {
                    section.Error(section.LineOfKey("name"), $"group name '{name}' is taken ({(egresses.ContainsKey(name) ? "an egress has it" : "it is an action")})");
                    name = null;
                }
                else if (!names.TryAdd(name, section.Line))
                {
                    section.Error(section.LineOfKey("name"), $"group '{name}' is already defined on line {names[name]}");
                    name = null;
                }
            }

            var strategy = section.RequiredString("strategy");
            if (strategy is not null && !Strategies.Contains(strategy))
            {
                section.Error(section.LineOfKey("strategy"), $"unknown strategy '{strategy}' (known: {string.Join(", ", Strategies)})");
                strategy = null;
            }

            var members = ImmutableArray.CreateBuilder<string>();
            var memberList = section.StringList("members");
            if (memberList.IsEmpty)
            {
                section.Error(section.LineOfKey("members"), $"{Describe(section, name)} needs 'members', a list of egress names");
            }

            foreach (var (member, line) in memberList)
            {
                if (!egresses.TryGetValue(member, out var egress))
                {
                    section.Error(line, $"{Describe(section, name)}: '{member}' is not an egress (groups hold egresses, not other groups)");
                }
                else if (members.Contains(member))
                {
                    section.Error(line, $"{Describe(section, name)} names '{member}' twice");
                }
                else
                {
                    members.Add(member);
                    if (strategy == "nearest" && egress.Exit is null)
                    {
                        section.Error(line, $"{Describe(section, name)} is a nearest group, but egress '{member}' declares no 'exit' or 'location'");
                    }
                }
            }

            var holdDown = OnlyFor(section, strategy, "hold-down", "failover", () => section.Integer("hold-down", 0, 3600, 30)!.Value, 30);
            var hash = OnlyFor(section, strategy, "hash", "consistent-hash", () => section.String("hash", "destination"), "destination");
            if (hash is not ("source" or "destination"))
            {
                section.Error(section.LineOfKey("hash"), $"'hash' is \"source\" or \"destination\", not '{hash}'");
            }

            var toleranceMs = OnlyFor(section, strategy, "tolerance-ms", "lowest-latency", () => section.Integer("tolerance-ms", 0, 10_000, 20)!.Value, 20);
            var tolerancePercent = OnlyFor(section, strategy, "tolerance-percent", "lowest-latency", () => section.Integer("tolerance-percent", 0, 1000, 10)!.Value, 10);
            var probeText = OnlyFor(section, strategy, "probe", "lowest-latency", () => section.String("probe"), null);
            var interval = OnlyFor(section, strategy, "probe-interval", "lowest-latency", () => section.Integer("probe-interval", 5, 3600, 30)!.Value, 30);
            IPEndPoint? probe = null;
            if (strategy == "lowest-latency")
            {
                if (probeText is null)
                {
                    section.Error(section.Line, $"{Describe(section, name)} is a lowest-latency group: set 'probe' = \"IP:PORT\", the TCP service each member's latency is measured against");
                }
                else if (!IPEndPoint.TryParse(probeText, out probe) || probe.Port == 0)
                {
                    section.Error(section.LineOfKey("probe"), $"'probe' must be IP:PORT, not '{probeText}'");
                    probe = null;
                }
            }

            if (strategy == "nearest" && !hasGeoIp)
            {
                section.Error(section.LineOfKey("strategy"), $"{Describe(section, name)} is a nearest group: it needs a GeoIP database ([routing] geoip)");
            }

            section.ReportUnknownKeys();
            if (name is not null && strategy is not null && members.Count > 0)
            {
                result.Add(new GroupConfig(name, section.Line, strategy, members.ToImmutable(), TimeSpan.FromSeconds(holdDown),
                    hash == "source" ? HashKey.Source : HashKey.Destination, TimeSpan.FromMilliseconds(toleranceMs), tolerancePercent / 100.0,
                    probe, TimeSpan.FromSeconds(interval)));
            }
        }

        return result.ToImmutable();
    }

    /// <summary>Reads a strategy's own key; set on a group of another strategy, it is an error rather than ignored.</summary>
    private static T OnlyFor<T>(TomlSection section, string? strategy, string key, string owner, Func<T> read, T fallback)
    {
        if (strategy == owner || strategy is null)
        {
            return read();
        }

        if (section.Has(key))
        {
            section.Error(section.LineOfKey(key), $"'{key}' applies to {owner} groups only (this one is {strategy})");
            read();
        }

        return fallback;
    }

    private static string Describe(TomlSection section, string? name) =>
        name is null ? string.Create(CultureInfo.InvariantCulture, $"the group on line {section.Line}") : $"group '{name}'";

    private static Dictionary<string, ImmutableArray<IPNetwork>> ReadClients(List<TomlSection> sections)
    {
        var clients = new Dictionary<string, ImmutableArray<IPNetwork>>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var name = section.RequiredString("name");
            var addresses = Networks(section, "address");
            if (addresses.IsEmpty && !section.Has("address"))
            {
                section.Error(section.Line, "[[client]] needs 'address', the VM's addresses (e.g. address = [\"198.51.100.7\"])");
            }

            section.ReportUnknownKeys();
            if (name is null)
            {
                continue;
            }

            if (!clients.TryAdd(name, addresses))
            {
                section.Error(section.LineOfKey("name"), $"client '{name}' is defined twice");
            }
        }

        return clients;
    }

    private static ImmutableArray<RouteRule> ReadRules(
        List<TomlSection> sections,
        RouterSettings? router,
        Dictionary<string, ImmutableArray<IPNetwork>> clients,
        Dictionary<string, EgressConfig> egresses,
        Dictionary<string, GroupConfig> groups,
        bool hasGeoIp)
    {
        var rules = ImmutableArray.CreateBuilder<RouteRule>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var name = section.String("name") ?? string.Create(CultureInfo.InvariantCulture, $"line-{section.Line}");
            if (!names.TryAdd(name, section.Line))
            {
                section.Error(section.LineOfKey("name"), $"rule '{name}' is already defined on line {names[name]}");
            }

            var sources = Networks(section, "src").ToBuilder();
            foreach (var (client, line) in section.StringList("client"))
            {
                if (clients.TryGetValue(client, out var addresses))
                {
                    sources.AddRange(addresses);
                }
                else
                {
                    section.Error(line, $"rule '{name}': no [[client]] is named '{client}'");
                }
            }

            var lans = section.StringList("lan");
            foreach (var (lan, line) in lans)
            {
                if (router is not null && !router.LanInterfaces.Contains(lan))
                {
                    section.Error(line, $"rule '{name}': '{lan}' is not one of [router] lan ({string.Join(", ", router.LanInterfaces)})");
                }
            }

            var destinations = Networks(section, "dst");
            var ports = ImmutableArray.CreateBuilder<PortRange>();
            foreach (var (text, line) in section.ScalarList("port"))
            {
                try
                {
                    ports.AddRange(PortRange.ParseList(text));
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    section.Error(line, $"rule '{name}': {e.Message}");
                }
            }

            RouteProtocol? protocol = section.String("proto") switch
            {
                null => null,
                "tcp" => RouteProtocol.Tcp,
                "udp" => RouteProtocol.Udp,
                var other => Invalid<RouteProtocol>(section, "proto", $"rule '{name}': 'proto' is \"tcp\" or \"udp\", not '{other}'"),
            };

            var domains = ImmutableArray.CreateBuilder<DomainPattern>();
            foreach (var (text, line) in section.StringList("domain"))
            {
                try
                {
                    domains.Add(DomainPattern.Parse(text));
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    section.Error(line, $"rule '{name}': '{text}' is not a domain: {e.Message}");
                }
            }

            var countries = ImmutableArray.CreateBuilder<string>();
            foreach (var (text, line) in section.StringList("country"))
            {
                if (CountryCodePattern().IsMatch(text.ToUpperInvariant()))
                {
                    countries.Add(text.ToUpperInvariant());
                }
                else
                {
                    section.Error(line, $"rule '{name}': '{text}' is not a two-letter country code (ISO 3166-1 alpha-2)");
                }
            }

            if (countries.Count > 0 && !hasGeoIp)
            {
                section.Error(section.LineOfKey("country"), $"rule '{name}' matches countries: it needs a GeoIP database ([routing] geoip)");
            }

            var to = section.RequiredString("to");
            RouteAction? action = to switch
            {
                null => null,
                "reject" => RouteAction.Reject,
                "drop" => RouteAction.Drop,
                _ when egresses.ContainsKey(to) => RouteAction.Egress(to),
                _ when groups.ContainsKey(to) => RouteAction.Group(to),
                _ => Invalid<RouteAction>(section, "to", $"rule '{name}': 'to' names '{to}', which is neither an egress, a group, \"reject\" nor \"drop\""),
            };

            section.ReportUnknownKeys();
            if (action is not null)
            {
                rules.Add(new RouteRule
                {
                    Name = name,
                    Line = section.Line,
                    Action = action,
                    Sources = sources.ToImmutable(),
                    LanInterfaces = [.. lans.Select(l => l.Value)],
                    Destinations = destinations,
                    Ports = ports.ToImmutable(),
                    Protocol = protocol,
                    Domains = domains.ToImmutable(),
                    Countries = countries.ToImmutable(),
                });
            }
        }

        return rules.ToImmutable();
    }

    private static T? Invalid<T>(TomlSection section, string key, string message)
        where T : notnull
    {
        section.Error(section.LineOfKey(key), message);
        return default;
    }

    /// <summary>A list of addresses or networks (<c>203.0.113.0/24</c>, <c>198.51.100.7</c>, <c>2001:db8::/32</c>).</summary>
    private static ImmutableArray<IPNetwork> Networks(TomlSection section, string key)
    {
        var result = ImmutableArray.CreateBuilder<IPNetwork>();
        foreach (var (text, line) in section.StringList(key))
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, slash < 0 ? text.Length : slash), out var written)
                && written.Equals(network.BaseAddress))
            {
                result.Add(network);
            }
            else if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
            {
                result.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                section.Error(line, $"'{text}' in '{key}' is not an address or a network (e.g. 203.0.113.0/24; the bits after the prefix must be zero)");
            }
        }

        return result.ToImmutable();
    }
}
