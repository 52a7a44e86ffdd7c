using System.Collections.Immutable;

namespace Galaxy.Agent.Config;

/// <summary>
/// What differs between the running configuration and a reloaded one outside the routing part (rules,
/// groups, clients, [routing], the egresses' exits): those differences need a restart of the agent,
/// because they reshape the firewall, the policy routing, the listeners or the tunnels. Removing an egress is the
/// exception: a reload takes it down for good.
/// </summary>
internal static class ConfigChanges
{
    /// <summary>One line per difference that a reload cannot apply; empty when the reload may go ahead.</summary>
    public static ImmutableArray<string> NeedingRestart(GalaxyConfig running, GalaxyConfig loaded)
    {
        var changes = ImmutableArray.CreateBuilder<string>();
        if (!running.Router.LanInterfaces.SequenceEqual(loaded.Router.LanInterfaces) || running.Router.WanInterface != loaded.Router.WanInterface ||
            running.Router.RuntimeDirectory != loaded.Router.RuntimeDirectory)
        {
            changes.Add("[router] changed");
        }

        if (running.Relay != loaded.Relay)
        {
            changes.Add("[relay] changed");
        }

        if (running.Dns.Port != loaded.Dns.Port || running.Dns.ResolvConf != loaded.Dns.ResolvConf ||
            !running.Dns.Servers.SequenceEqual(loaded.Dns.Servers) || !running.Dns.Bootstrap.SequenceEqual(loaded.Dns.Bootstrap))
        {
            changes.Add("[dns] changed");
        }

        if (running.Control != loaded.Control)
        {
            changes.Add("[control] changed");
        }

        if (running.Dhcp != loaded.Dhcp)
        {
            changes.Add("[dhcp] changed");
        }

        if (running.Log != loaded.Log)
        {
            changes.Add("[log] changed");
        }

        // An egress may be removed (its flows end, its slot stays reserved); adding or changing one needs a restart.
        var loadedNames = loaded.Egresses.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var before = running.Egresses.Where(e => loadedNames.Contains(e.Name)).Select(Identity).ToList();
        var after = loaded.Egresses.Select(Identity).ToList();
        foreach (var changed in before.Except(after))
        {
            changes.Add($"egress {changed} was changed");
        }

        foreach (var added in after.Except(before))
        {
            changes.Add($"egress {added} was added or changed");
        }

        if (changes.Count == 0 && !before.SequenceEqual(after))
        {
            changes.Add("the egresses were reordered (their order is their slot: marks and routing tables)");
        }

        return changes.ToImmutable();
    }

    /// <summary>The egresses of <paramref name="running"/> that <paramref name="loaded"/> no longer has.</summary>
    public static ImmutableArray<string> Removed(GalaxyConfig running, GalaxyConfig loaded)
    {
        var loadedNames = loaded.Egresses.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return [.. running.Egresses.Select(e => e.Name).Where(name => !loadedNames.Contains(name))];
    }

    /// <summary>An egress as the kernel and the tunnels know it (its exit location is routing, so not part of it).</summary>
    private static string Identity(EgressConfig egress) => egress switch
    {
        OpenVpnEgressConfig openVpn => $"'{openVpn.Name}' (openvpn {openVpn.Profile}{(openVpn.CredentialsFile is null ? "" : ", credentials " + openVpn.CredentialsFile)}{Via(egress)})",
        ProxyEgressConfig proxy => $"'{proxy.Name}' ({proxy.Kind} {proxy.Address}{Via(egress)})",
        SshEgressConfig ssh => $"'{ssh.Name}' (ssh {ssh.User}@{ssh.Endpoint}, key {ssh.Identity}, pin {ssh.KnownHosts}, {ssh.Connections} connection(s){Via(egress)})",
        _ => $"'{egress.Name}' ({egress.Kind}{Via(egress)})",
    };

    private static string Via(EgressConfig egress) => egress.Via is { } via ? $" via {via.Name}" : "";
}
