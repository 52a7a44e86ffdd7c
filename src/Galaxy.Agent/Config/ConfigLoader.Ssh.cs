using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Galaxy.Agent.Config;

/// <summary>
/// The <c>type = "ssh"</c> egress and the <c>via</c> key (an egress riding on another one).
/// </summary>
internal static partial class ConfigLoader
{
    /// <summary>A POSIX-portable login name, as <c>useradd</c> accepts by default.</summary>
    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex SshUserPattern();

    private static SshEgressConfig? ReadSsh(TomlSection section, string? name, string baseDirectory)
    {
        var endpointText = section.RequiredString("endpoint");
        var user = section.RequiredString("user");
        var identity = section.RequiredString("identity");
        var knownHosts = section.RequiredString("known-hosts");
        var connections = (int)section.Integer("connections", 1, SshEgressConfig.MaxConnections, SshEgressConfig.DefaultConnections)!.Value;

        IPEndPoint? endpoint = null;
        if (endpointText is not null && !TryParseSshEndpoint(endpointText, out endpoint))
        {
            section.Error(section.LineOfKey("endpoint"),
                $"'endpoint' must be IP or IP:PORT ([IPv6]:PORT), not '{endpointText}': the server is reached before any DNS exists, so no host names");
        }

        if (user is not null && !SshUserPattern().IsMatch(user))
        {
            section.Error(section.LineOfKey("user"), $"'user' '{user}' is not a login name (a lower-case letter or '_', then letters, digits, '_' or '-', at most 32)");
        }

        var identityPath = identity is null ? null : Path.GetFullPath(identity, baseDirectory);
        if (identityPath is not null)
        {
            if (!File.Exists(identityPath))
            {
                section.Error(section.LineOfKey("identity"), $"identity (private key) {identityPath} does not exist");
            }
            else if (OperatingSystem.IsLinux() && (File.GetUnixFileMode(identityPath) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                // ssh itself ignores such a key ("UNPROTECTED PRIVATE KEY FILE"): say so now, with the line.
                section.Error(section.LineOfKey("identity"), $"identity {identityPath} is readable by others; ssh refuses it: chmod 600 {identityPath}");
            }
        }

        var knownHostsPath = knownHosts is null ? null : Path.GetFullPath(knownHosts, baseDirectory);
        if (knownHostsPath is not null && !File.Exists(knownHostsPath))
        {
            section.Error(section.LineOfKey("known-hosts"), $"known-hosts (the pinned host key) {knownHostsPath} does not exist");
        }

        return name is null || endpoint is null || user is null || identityPath is null || knownHostsPath is null
            ? null
            : new SshEgressConfig(name, section.Line, endpoint, user, identityPath, knownHostsPath, connections);
    }

    /// <summary><c>IP</c>, <c>IP:PORT</c> or <c>[IPv6]:PORT</c>; port 22 when none is given.</summary>
    internal static bool TryParseSshEndpoint(string text, out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (IPAddress.TryParse(text, out var bare) && (bare.AddressFamily == AddressFamily.InterNetworkV6 ? !text.StartsWith('[') : text.Split('.').Length == 4))
        {
            endpoint = new IPEndPoint(bare, 22);
            return true;
        }

        if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port != 0 && text.Contains(':', StringComparison.Ordinal)
            && (parsed.AddressFamily == AddressFamily.InterNetworkV6 ? text.StartsWith('[') : text.Split('.').Length == 4))
        {
            endpoint = parsed;
            return true;
        }

        return false;
    }

    /// <summary>Reads <c>via</c> for the kinds that can ride on another egress; refuses it elsewhere.</summary>
    private static EgressConfig? ReadVia(TomlSection section, EgressConfig? egress)
    {
        var via = section.String("via");
        if (via is null)
        {
            return egress;
        }

        var line = section.LineOfKey("via");
        if (egress is not (null or SshEgressConfig or ProxyEgressConfig))
        {
            section.Error(line, $"'via' applies to ssh, socks5 and http egresses, not to {egress.Kind}");
            return egress;
        }

        return egress is null ? null : egress with { Via = (via, line) };
    }

    /// <summary>
    /// Every <c>via</c> names an egress of the file that can carry this kind, and no chain comes back to
    /// where it started. SSH rides only on OpenVPN (the ssh process is bound to the tunnel device); a proxy
    /// rides on anything that dials (OpenVPN, ssh, socks5, http). <c>direct</c> is the WAN itself.
    /// </summary>
    private static void CheckVia(ImmutableArray<EgressConfig>.Builder egresses, string path, List<ConfigError> errors)
    {
        var byName = new Dictionary<string, EgressConfig>(StringComparer.Ordinal);
        foreach (var egress in egresses)
        {
            byName.TryAdd(egress.Name, egress);
        }

        var broken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var egress in egresses)
        {
            if (egress.Via is not { } via)
            {
                continue;
            }

            string? problem = null;
            if (!byName.TryGetValue(via.Name, out var carrier))
            {
                problem = $"egress '{egress.Name}': via '{via.Name}' names no egress (known: {string.Join(", ", byName.Keys.Where(n => n != egress.Name))})";
            }
            else if (carrier == egress)
            {
                problem = $"egress '{egress.Name}': via names the egress itself";
            }
            else if (carrier is DirectEgressConfig)
            {
                problem = $"egress '{egress.Name}': via '{via.Name}' is a direct egress, which is the WAN itself: leave 'via' out";
            }
            else if (egress is SshEgressConfig && carrier is not OpenVpnEgressConfig)
            {
                problem = $"egress '{egress.Name}': an ssh egress rides only on an openvpn egress, and '{via.Name}' is {carrier.Kind}";
            }

            if (problem is not null)
            {
                errors.Add(new ConfigError(path, via.Line, problem));
                broken.Add(egress.Name);
            }
        }

        // Cycles: follow each chain; a name seen twice on one walk closes a loop. Reported once per loop.
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in egresses)
        {
            var chain = new List<string> { start.Name };
            var current = start;
            while (current.Via is { } via && !broken.Contains(current.Name) && byName.TryGetValue(via.Name, out var next))
            {
                var seen = chain.IndexOf(next.Name);
                if (seen >= 0)
                {
                    var loop = chain.Skip(seen).ToList();
                    if (seen == 0 && loop.TrueForAll(reported.Add))
                    {
                        errors.Add(new ConfigError(path, start.Via!.Value.Line,
                            $"egress '{start.Name}': via makes a cycle: {string.Join(" → ", loop)} → {next.Name}"));
                    }

                    break;
                }

                chain.Add(next.Name);
                current = next;
            }
        }
    }
}
