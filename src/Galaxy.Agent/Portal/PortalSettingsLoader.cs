using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Galaxy.Agent.Config;

namespace Galaxy.Agent.Portal;

/// <summary>
/// Reads the portal settings file into <see cref="PortalSettings"/> the way <see cref="ConfigLoader"/> reads galaxy.toml:
/// Tomlyn's syntax tree (no reflection), every value checked where it is read, every error at once with its line.
/// <code>
/// [portal]
/// template = "/var/lib/galaxy/alpine-galaxy.qcow2"   # relative paths are relative to this file
/// base-files = "alpine/base-files"
/// state-dir = "/var/lib/galaxy/instances"
/// wan-network = "default"
/// bootstrap-dns = ["192.0.2.53"]
///
/// [routers]
/// count = 3                      # galaxy0 … galaxy2
/// lan-pool = "10.40.0.0/16"      # instance i gets the i-th subnet of lan-prefix bits
/// lan-prefix = 24
/// egress = ["nyc"]               # credentials every router uses unless its [[router]] says otherwise
/// cpus = 1
/// memory = 256                   # MiB
///
/// [[router]]                     # optional: one router's differences
/// name = "galaxy1"
/// egress = ["ams", "nyc"]
///
/// [[credentials]]
/// name = "nyc"
/// type = "openvpn"
/// profile = "secrets/nyc.ovpn"
/// auth = "secrets/nyc.auth"
/// </code>
/// </summary>
internal static partial class PortalSettingsLoader
{
    public const int MaxRouters = 64;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,14}$")]
    private static partial Regex NamePattern();

    public static PortalSettings LoadFile(string path) => Load(TomlFile.ReadText(path), Path.GetFullPath(path));

    /// <summary>Parses and validates; throws <see cref="ConfigException"/> listing every error.</summary>
    public static PortalSettings Load(string text, string path)
    {
        var file = TomlFile.Parse(text, path, ["portal", "routers"], ["router", "credentials"]);
        var baseDirectory = file.BaseDirectory;
        var portal = file.Table("portal");
        var template = portal.RequiredString("template");
        var baseFiles = portal.String("base-files", "base-files")!;
        var stateDir = portal.String("state-dir", "/var/lib/galaxy/instances")!;
        var wanNetwork = portal.String("wan-network", "default")!;
        var bootstrap = portal.StringList("bootstrap-dns");
        foreach (var (address, line) in bootstrap)
        {
            if (!IPAddress.TryParse(address, out _))
            {
                portal.Error(line, $"'{address}' in 'bootstrap-dns' is not an IP address");
            }
        }

        var baseFilesPath = Path.GetFullPath(baseFiles, baseDirectory);
        if (!Directory.Exists(baseFilesPath))
        {
            portal.Error(portal.LineOfKey("base-files"), $"the base files folder {baseFilesPath} does not exist");
        }

        portal.ReportUnknownKeys();

        var credentials = ReadCredentials(file.List("credentials"), baseDirectory);
        var routers = ReadRouters(file.Table("routers"), file.List("router"), credentials);

        file.ThrowIfErrors();
        return new PortalSettings(
            path,
            Path.GetFullPath(template!, baseDirectory),
            baseFilesPath,
            Path.GetFullPath(stateDir, baseDirectory),
            wanNetwork,
            [.. bootstrap.Select(b => b.Value)],
            [.. credentials.Values.Select(c => c.Credential)],
            routers);
    }

    private static Dictionary<string, (EgressCredential Credential, int Line)> ReadCredentials(List<TomlSection> sections, string baseDirectory)
    {
        var result = new Dictionary<string, (EgressCredential, int)>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var name = section.RequiredString("name");
            var kind = section.RequiredString("type");
            string? profile = null, auth = null, address = null;
            switch (kind)
            {
                case "openvpn":
                    profile = ExistingFile(section, "profile", baseDirectory, required: true);
                    auth = ExistingFile(section, "auth", baseDirectory, required: false);
                    break;
                case "socks5" or "http":
                    address = section.RequiredString("address");
                    break;
                case "direct" or null:
                    break;
                default:
                    section.Error(section.LineOfKey("type"), $"unknown credentials type '{kind}' (known: openvpn, socks5, http, direct)");
                    break;
            }

            section.ReportUnknownKeys();
            if (name is null || kind is null)
            {
                continue;
            }

            if (!NamePattern().IsMatch(name))
            {
                section.Error(section.LineOfKey("name"), $"credentials name '{name}' must be 1 to 15 characters: a lower-case letter, then letters, digits or '-' (it becomes the egress name)");
            }
            else if (result.TryGetValue(name, out var first))
            {
                section.Error(section.LineOfKey("name"), $"credentials '{name}' are already defined on line {first.Item2}");
            }
            else
            {
                result.Add(name, (new EgressCredential(name, kind, profile, auth, address), section.Line));
            }
        }

        return result;
    }

    private static string? ExistingFile(TomlSection section, string key, string baseDirectory, bool required)
    {
        var value = required ? section.RequiredString(key) : section.String(key);
        if (value is null)
        {
            return null;
        }

        var full = Path.GetFullPath(value, baseDirectory);
        if (!File.Exists(full))
        {
            section.Error(section.LineOfKey(key), $"'{key}': the file {full} does not exist");
        }

        return full;
    }

    private static ImmutableArray<RouterInstance> ReadRouters(
        TomlSection defaults,
        List<TomlSection> overrides,
        Dictionary<string, (EgressCredential Credential, int Line)> credentials)
    {
        var count = defaults.Integer("count", 1, MaxRouters);
        var prefix = defaults.String("name-prefix", "galaxy")!;
        var poolText = defaults.String("lan-pool", "10.40.0.0/16")!;
        var lanPrefix = (int)defaults.Integer("lan-prefix", 16, 29, 24)!.Value;
        var cpus = (int)defaults.Integer("cpus", 1, 64, 1)!.Value;
        var memory = (int)defaults.Integer("memory", 64, 1 << 20, 256)!.Value;
        var egress = defaults.StringList("egress");
        CheckEgresses(defaults, egress, credentials);
        defaults.ReportUnknownKeys();

        IPNetwork pool = default;
        if (!IPNetwork.TryParse(poolText, out pool) || pool.BaseAddress.AddressFamily != AddressFamily.InterNetwork
            || !IPAddress.TryParse(poolText.Split('/')[0], out var poolAddress) || !poolAddress.Equals(pool.BaseAddress))
        {
            defaults.Error(defaults.LineOfKey("lan-pool"), $"'lan-pool' must be an IPv4 subnet like 10.40.0.0/16, not '{poolText}'");
        }
        else if (pool.PrefixLength > lanPrefix)
        {
            defaults.Error(defaults.LineOfKey("lan-prefix"), $"'lan-prefix' /{lanPrefix} is larger than the pool {pool} itself");
        }

        if (count is null && overrides.Count == 0)
        {
            defaults.Error(defaults.Line, "[routers] needs 'count' (or list the routers as [[router]] entries)");
        }

        // With a count the names are generated; without one, the [[router]] entries are the routers.
        var names = count is { } n
            ? Enumerable.Range(0, (int)n).Select(i => $"{prefix}{i}").ToList()
            : [.. overrides.Select(o => o.String("name") ?? "")];
        var routers = new List<RouterInstance>();
        var seenSubnets = new Dictionary<IPNetwork, string>();
        for (var index = 0; index < names.Count; index++)
        {
            var name = names[index];
            var section = overrides.FirstOrDefault(o => o.String("name") == name);
            if (name.Length == 0 || !NamePattern().IsMatch(name))
            {
                (section ?? defaults).Error((section ?? defaults).LineOfKey(section is null ? "name-prefix" : "name"), $"router name '{name}' must be 1 to 15 characters: a lower-case letter, then letters, digits or '-'");
                continue;
            }

            var subnet = SubnetAt(pool, lanPrefix, index);
            var ownEgress = egress;
            var ownCpus = cpus;
            var ownMemory = memory;
            if (section is not null)
            {
                if (section.String("lan-subnet") is { } own)
                {
                    if (IPNetwork.TryParse(own, out var parsed) && parsed.BaseAddress.AddressFamily == AddressFamily.InterNetwork && parsed.PrefixLength is >= 8 and <= 29
                        && IPAddress.TryParse(own.Split('/')[0], out var written) && written.Equals(parsed.BaseAddress))
                    {
                        subnet = parsed;
                    }
                    else
                    {
                        section.Error(section.LineOfKey("lan-subnet"), $"'lan-subnet' must be an IPv4 subnet between /8 and /29, written with its network address, not '{own}'");
                    }
                }

                if (section.Has("egress"))
                {
                    ownEgress = section.StringList("egress");
                    CheckEgresses(section, ownEgress, credentials);
                }

                ownCpus = (int)section.Integer("cpus", 1, 64, cpus)!.Value;
                ownMemory = (int)section.Integer("memory", 64, 1 << 20, memory)!.Value;
            }

            if (subnet is { } s)
            {
                if (seenSubnets.TryGetValue(s, out var other))
                {
                    (section ?? defaults).Error((section ?? defaults).LineOfKey("lan-subnet"), $"'{name}' would share the LAN subnet {s} with '{other}'");
                }
                else
                {
                    seenSubnets.Add(s, name);
                    routers.Add(new RouterInstance(name, index, s, [.. ownEgress.Select(e => e.Value)], ownCpus, ownMemory));
                }
            }
            else
            {
                defaults.Error(defaults.LineOfKey("lan-pool"), $"the pool {poolText} has no /{lanPrefix} left for '{name}' (router {index})");
            }
        }

        foreach (var section in overrides)
        {
            var name = section.String("name");
            if (name is null)
            {
                section.Error(section.Line, "[[router]] needs 'name'");
            }
            else if (!names.Contains(name))
            {
                section.Error(section.LineOfKey("name"), $"there is no router '{name}' (the routers are {string.Join(", ", names)})");
            }
            else if (overrides.First(o => o.String("name") == name) != section)
            {
                section.Error(section.LineOfKey("name"), $"router '{name}' is described twice");
            }

            section.ReportUnknownKeys();
        }

        return [.. routers];
    }

    private static void CheckEgresses(TomlSection section, ImmutableArray<(string Value, int Line)> egress, Dictionary<string, (EgressCredential Credential, int Line)> credentials)
    {
        foreach (var (name, line) in egress)
        {
            if (!credentials.ContainsKey(name))
            {
                section.Error(line, $"'{name}' in 'egress' names no [[credentials]] entry (known: {(credentials.Count == 0 ? "none" : string.Join(", ", credentials.Keys))})");
            }
        }

        if (egress.Select(e => e.Value).Distinct(StringComparer.Ordinal).Count() != egress.Length)
        {
            section.Error(section.LineOfKey("egress"), "'egress' names the same credentials twice");
        }
    }

    /// <summary>The <paramref name="index"/>-th subnet of <paramref name="prefix"/> bits in <paramref name="pool"/>, or null past its end.</summary>
    internal static IPNetwork? SubnetAt(IPNetwork pool, int prefix, int index)
    {
        if (pool.BaseAddress is null || pool.BaseAddress.AddressFamily != AddressFamily.InterNetwork || prefix < pool.PrefixLength)
        {
            return null;
        }

        var available = 1L << (prefix - pool.PrefixLength);
        if (index >= available)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[4];
        pool.BaseAddress.TryWriteBytes(bytes, out _);
        var start = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) + ((uint)index << (32 - prefix));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, start);
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
