using Galaxy.Netlink.NfTables;

namespace Galaxy.Agent.Firewall;

/// <summary>The output rules for processes known by their group (the ssh clients of SSH egresses).</summary>
internal static partial class RulesetBuilder
{
    /// <summary>
    /// For each group: its packets may reach its pinned endpoints on the WAN (<c>oifname WAN meta skgid GID
    /// ip daddr IP tcp dport PORT accept</c>), or, riding on a tunnel that is up, that tunnel's device
    /// (<c>oifname DEV meta skgid GID accept</c>). Anything else of the group is dropped and counted
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
            if (group.ViaDevice is { } device)
            {
                add(Rule().OifName(device).SkGid(group.Gid).Accept());
            }

            foreach (var endpoint in group.Endpoints.IsDefault ? [] : group.Endpoints)
            {
                add(ToEndpoint(Rule().OifName(inputs.WanInterface).SkGid(group.Gid), endpoint).Accept());
            }

            add(Rule().SkGid(group.Gid).Counter().Drop());
        }
    }
}
