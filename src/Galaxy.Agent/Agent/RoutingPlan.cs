using System.Collections.Frozen;
using Galaxy.Agent.Config;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Agent;

/// <summary>
/// The routing configuration compiled for deciding flows: the rule table, the groups, and the group that
/// takes unmatched flows. Immutable; a reload builds a new plan and swaps it in whole, so a flow is always
/// decided by one consistent plan. Groups keep their own state (round-robin position, failover hold-down),
/// which therefore starts afresh with each plan.
/// </summary>
internal sealed class RoutingPlan
{
    private RoutingPlan(RoutingSettings settings, RouteTable table, FrozenDictionary<string, EgressGroup> groups, string defaultTarget, bool defaultIsEgress)
    {
        Settings = settings;
        Table = table;
        Groups = groups;
        DefaultTarget = defaultTarget;
        NeedsDomains = settings.NeedsDomains;
        DefaultEgresses = groups.TryGetValue(defaultTarget, out var group) ? group.Members : defaultIsEgress ? [defaultTarget] : [];
    }

    public RoutingSettings Settings { get; }

    public RouteTable Table { get; }

    public FrozenDictionary<string, EgressGroup> Groups { get; }

    /// <summary>The egress or group that takes flows no rule matched.</summary>
    public string DefaultTarget { get; }

    /// <summary>
    /// The egresses the default may use, in order: the default egress, or the default group's members (none when
    /// the implicit group has no member). The agent's own DNS forwarding goes through the first of them that is up,
    /// so a <c>direct</c> egress carries DNS only when it is named as (or in) the default.
    /// </summary>
    public System.Collections.Immutable.ImmutableArray<string> DefaultEgresses { get; }

    /// <summary>Whether a rule matches on names: the relay then sniffs TCP flows, and the resolver's memory is asked.</summary>
    public bool NeedsDomains { get; }

    /// <summary>
    /// Compiles <paramref name="settings"/> for <paramref name="egresses"/> (already validated by the loader).
    /// Without a named default, the implicit default group fails over, in file order, between every egress but
    /// <c>direct</c> ones; with no such egress it has no member and refuses every unmatched flow.
    /// </summary>
    public static RoutingPlan Build(
        RoutingSettings settings,
        IReadOnlyList<EgressConfig> egresses,
        ICountryLookup? countries,
        ICountryCoordinates coordinates,
        TimeProvider time)
    {
        var groups = new Dictionary<string, EgressGroup>(StringComparer.Ordinal);
        var exits = egresses.ToDictionary(e => e.Name, e => e.Exit, StringComparer.Ordinal);
        foreach (var group in settings.Groups)
        {
            groups[group.Name] = Create(group, exits, countries, coordinates, time);
        }

        var defaultTarget = settings.Default ?? RoutingSettings.ImplicitDefaultGroup;
        if (settings.Default is null)
        {
            var members = egresses.Where(e => e is not DirectEgressConfig).Select(e => e.Name).ToArray();
            if (members.Length > 0)
            {
                groups[RoutingSettings.ImplicitDefaultGroup] = new FailoverGroup(RoutingSettings.ImplicitDefaultGroup, members, TimeSpan.Zero, time);
            }
        }

        var table = RouteTable.Compile(settings.Rules, defaultTarget, countries);
        var defaultIsEgress = settings.Default is { } named && !groups.ContainsKey(named) && egresses.Any(e => e.Name == named);
        return new RoutingPlan(settings, table, groups.ToFrozenDictionary(StringComparer.Ordinal), defaultTarget, defaultIsEgress);
    }

    private static EgressGroup Create(
        GroupConfig group,
        Dictionary<string, ExitLocation?> exits,
        ICountryLookup? countries,
        ICountryCoordinates coordinates,
        TimeProvider time) => group.Strategy switch
    {
        "failover" => new FailoverGroup(group.Name, group.Members, group.HoldDown, time),
        "round-robin" => new RoundRobinGroup(group.Name, group.Members),
        "least-connections" => new LeastConnectionsGroup(group.Name, group.Members),
        "consistent-hash" => new ConsistentHashGroup(group.Name, group.Members, group.Hash),
        "lowest-latency" => new LowestLatencyGroup(group.Name, group.Members, group.Tolerance, group.ToleranceFraction),
        "nearest" => new NearestGroup(
            group.Name,
            group.Members.Select(m => KeyValuePair.Create(m, exits[m])),
            countries ?? throw new InvalidOperationException($"group '{group.Name}' is a nearest group and no GeoIP database is loaded"),
            coordinates),
        _ => throw new InvalidOperationException($"group '{group.Name}': unknown strategy '{group.Strategy}'"),
    };
}
