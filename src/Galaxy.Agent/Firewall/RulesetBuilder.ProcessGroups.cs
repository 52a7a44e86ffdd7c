using System.Collections.Immutable;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Agent.Firewall;

/// <summary>The output rules for processes known by their group (the ssh clients of SSH egresses).</summary>
internal static partial class RulesetBuilder
{
    /// <summary>
    /// For each group: its packets may reach its pinned endpoints on the WAN (<c>oifname WAN meta skgid GID
    /// ip daddr IP tcp dport PORT accept</c>), or, riding on a tunnel that is up, leave with the carrier's route
    /// mark (<c>meta skgid GID meta mark MARK accept</c>: the carrier's table routes them into its tunnel). Anything else of the group is dropped and counted
    /// (<c>meta skgid GID counter drop</c>), so a refused packet is visible per egress; the chain's final drop
    /// would drop it anyway. Loopback and LAN accepts come earlier (the ssh clients' SOCKS listeners are on lo).
    /// </summary>
    private static void ProcessGroups(FirewallInputs inputs, Action<RuleBuilder> add)
    {
        if (inputs.ProcessGroups.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var group in inputs.ProcessGroups)
        {
            if (group is { ViaDevice: not null, ViaRouteMark: { } mark })
            {
                // Rerouted by the reroute chain into the carrier's table: the output hook's oifname is still
                // the device of the first route lookup (the hook's device is fixed before any chain runs), so
                // the rule matches the mark; the carrier's table sends it into the tunnel, or nowhere.
                add(Rule().SkGid(group.Gid).Mark(mark).Accept());
            }

            foreach (var endpoint in group.Endpoints.IsDefault ? [] : group.Endpoints)
            {
                add(ToEndpoint(Rule().OifName(inputs.WanInterface).SkGid(group.Gid), endpoint).Accept());
            }

            add(Rule().SkGid(group.Gid).Counter().Drop());
        }
    }

    /// <summary>
    /// The reroute chain: a group riding on another egress gets that egress's route mark
    /// (<c>meta skgid GID meta mark set MARK</c>), so its packets are routed by that egress's table — into the
    /// tunnel while it is up, to <c>unreachable</c> when it is not — never by the main table to the WAN.
    /// (ssh's <c>BindInterface</c> picks the tunnel's source address; the mark picks the route.)
    /// </summary>
    private static void Reroute(FirewallInputs inputs, ImmutableArray<ChainRule>.Builder rules)
    {
        if (inputs.ProcessGroups.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var group in inputs.ProcessGroups)
        {
            if (group.ViaRouteMark is { } mark)
            {
                rules.Add(new(FirewallRuleset.Reroute, Rule().SkGid(group.Gid).SetMark(mark).Build()));
            }
        }
    }
}
