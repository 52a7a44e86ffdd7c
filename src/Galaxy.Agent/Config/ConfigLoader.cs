using System.Collections.Immutable;
using System.Net;
using System.Text.RegularExpressions;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Config;

/// <summary>
/// Reads <c>galaxy.toml</c> into a <see cref="GalaxyConfig"/>, or refuses it with every error at once, each
/// with its file and line. Tomlyn's syntax parser (no reflection, NativeAOT-safe) gives the tree with
/// positions; the model is built here by hand so that each value is validated where it is read.
/// OpenVPN profiles named by egresses are imported too, and their refusals are reported with the
/// profile's own file and line.
/// </summary>
internal static partial class ConfigLoader
{
    public const string DefaultPath = "/etc/galaxy/galaxy.toml";

    /// <summary>Egress names become device names and log fields: short, lower case, no surprises.</summary>
    [GeneratedRegex("^[a-z][a-z0-9-]{0,14}$")]
    private static partial Regex EgressNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.@-]{1,15}$")]
    private static partial Regex InterfaceNamePattern();

    public static GalaxyConfig LoadFile(string path) => Load(TomlFile.ReadText(path), Path.GetFullPath(path));

    /// <summary>Parses and validates; throws <see cref="ConfigException"/> listing every error.</summary>
    public static GalaxyConfig Load(string text, string path)
    {
        var file = TomlFile.Parse(text, path, ["router", "relay", "dns", "control", "routing", "log", "dhcp"], ["egress", "group", "rule", "client"]);
        var errors = file.Errors;
        var router = ReadRouter(file.Table("router"), errors);
        var relay = ReadRelay(file.Table("relay"));
        var dns = ReadDns(file.Table("dns"), relay);
        var control = ReadControl(file.Table("control"));
        var egresses = ReadEgresses(file.List("egress"), file.BaseDirectory, path, errors);
        var routing = ReadRouting(file.Table("routing"), file.List("group"), file.List("rule"), file.List("client"), router, egresses, file.BaseDirectory);
        var log = ReadLog(file.Table("log"));
        var dhcp = ReadDhcp(file.Table("dhcp"), router);
        file.ThrowIfErrors();
        return new GalaxyConfig(path, router!, relay, dns, control, egresses, routing) { Log = log, Dhcp = dhcp };
    }

    private static RouterSettings? ReadRouter(TomlSection section, List<ConfigError> errors)
    {
        var lan = section.StringList("lan");
        if (lan.IsEmpty && !section.Has("lan"))
        {
            section.Error(section.Line, "[router] needs 'lan', the interfaces facing the VMs (e.g. lan = [\"eth1\"])");
        }

        foreach (var (name, line) in lan)
        {
            CheckInterface(section, name, line);
        }

        var wan = section.RequiredString("wan");
        if (wan is not null)
        {
            CheckInterface(section, wan, section.LineOfKey("wan"));
            if (lan.Any(l => l.Value == wan))
            {
                section.Error(section.LineOfKey("wan"), $"'{wan}' cannot be both a LAN interface and the WAN");
            }
        }

        var runtime = section.String("runtime-dir", "/run/galaxy")!;
        if (!Path.IsPathRooted(runtime))
        {
            section.Error(section.LineOfKey("runtime-dir"), "'runtime-dir' must be an absolute path");
        }

        section.ReportUnknownKeys();
        return errors.Count == 0 && wan is not null ? new RouterSettings([.. lan.Select(l => l.Value).Distinct()], wan, runtime) : null;
    }

    private static RelaySettings ReadRelay(TomlSection section)
    {
        var port = (int)section.Integer("port", 1, 65535, 7890)!.Value;
        // Each relayed TCP flow holds two sockets; the process may hold at most 20 000 descriptors.
        var max = (int)section.Integer("max-connections", 1, 9000, 8000)!.Value;
        var loops = (int)section.Integer("splice-loops", 1, 64, Math.Max(1, Environment.ProcessorCount))!.Value;
        section.ReportUnknownKeys();
        return new RelaySettings(port, max, loops);
    }

    private static DnsSettings ReadDns(TomlSection section, RelaySettings relay)
    {
        var port = (int)section.Integer("port", 1, 65535, 5353)!.Value;
        if (port == relay.Port)
        {
            section.Error(section.LineOfKey("port"), $"the DNS port {port} is the relay's port too; choose another");
        }

        var servers = Endpoints(section, "servers");
        var bootstrap = Endpoints(section, "bootstrap");
        var resolvConf = section.String("resolv-conf", "/etc/resolv.conf");
        section.ReportUnknownKeys();
        return new DnsSettings(port, servers, bootstrap, string.IsNullOrEmpty(resolvConf) ? null : resolvConf);
    }

    private static ImmutableArray<IPEndPoint> Endpoints(TomlSection section, string key)
    {
        var result = ImmutableArray.CreateBuilder<IPEndPoint>();
        foreach (var (text, line) in section.StringList(key))
        {
            if (IPAddress.TryParse(text, out var address))
            {
                result.Add(new IPEndPoint(address, 53));
            }
            else if (IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0)
            {
                result.Add(endPoint);
            }
            else
            {
                section.Error(line, $"'{text}' in '{key}' is not an IP address (optionally with :port); host names are not allowed here");
            }
        }

        return result.ToImmutable();
    }

    private static ControlSettings ReadControl(TomlSection section)
    {
        var socket = section.String("socket", "/run/galaxy/galaxy.sock")!;
        if (!Path.IsPathRooted(socket) || System.Text.Encoding.UTF8.GetByteCount(socket) > 107)
        {
            section.Error(section.LineOfKey("socket"), "'socket' must be an absolute path of at most 107 bytes");
        }

        var group = section.String("group", "galaxy")!;
        section.ReportUnknownKeys();
        return new ControlSettings(socket, group);
    }

    private static ImmutableArray<EgressConfig> ReadEgresses(List<TomlSection> sections, string baseDirectory, string path, List<ConfigError> errors)
    {
        var result = ImmutableArray.CreateBuilder<EgressConfig>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var name = section.RequiredString("name");
            if (name is not null)
            {
                if (!EgressNamePattern().IsMatch(name))
                {
                    section.Error(section.LineOfKey("name"), $"egress name '{name}' must be 1 to 15 characters: a lower-case letter, then letters, digits or '-'");
                }
                else if (!names.TryAdd(name, section.Line))
                {
                    section.Error(section.LineOfKey("name"), $"egress '{name}' is already defined on line {names[name]}");
                }
            }

            var type = section.RequiredString("type");
            EgressConfig? egress = type switch
            {
                "openvpn" => ReadOpenVpn(section, name, baseDirectory, errors),
                "socks5" or "http" => ReadProxy(section, name, type, baseDirectory),
                "direct" => name is null ? null : new DirectEgressConfig(name, section.Line),
                "ssh" => ReadSsh(section, name, baseDirectory),
                null => null,
                _ => Refuse(section, $"unknown egress type '{type}' (known: openvpn, ssh, socks5, http, direct)"),
            };
            egress = ReadVia(section, egress);
            var exit = ReadExit(section);
            section.ReportUnknownKeys();
            if (egress is not null)
            {
                result.Add(exit is null ? egress : egress with { Exit = exit });
            }
        }

        CheckVia(result, path, errors);

        // Marks and routing tables are allocated per slot (Routing/Policy/EgressSlots): keep the count bounded.
        if (result.Count > Routing.Policy.EgressSlot.MaxEgresses)
        {
            errors.Add(new ConfigError(path, sections[Routing.Policy.EgressSlot.MaxEgresses].Line, $"at most {Routing.Policy.EgressSlot.MaxEgresses} egresses"));
        }

        return result.ToImmutable();
    }

    private static EgressConfig? Refuse(TomlSection section, string message)
    {
        section.Error(section.LineOfKey("type"), message);
        return null;
    }

    private static OpenVpnEgressConfig? ReadOpenVpn(TomlSection section, string? name, string baseDirectory, List<ConfigError> errors)
    {
        var profile = section.RequiredString("profile");
        var credentials = section.String("credentials");
        if (profile is null || name is null)
        {
            return null;
        }

        var profilePath = Path.GetFullPath(profile, baseDirectory);
        var credentialsPath = credentials is null ? null : Path.GetFullPath(credentials, baseDirectory);
        if (credentialsPath is not null && !File.Exists(credentialsPath))
        {
            section.Error(section.LineOfKey("credentials"), $"credentials file {credentialsPath} does not exist");
        }

        var imported = OvpnImporter.ImportFile(profilePath);
        foreach (var diagnostic in imported.Errors)
        {
            errors.Add(new ConfigError(diagnostic.Location.File, diagnostic.Location.Line, diagnostic.Message));
        }

        if (imported.Profile is null)
        {
            section.Error(section.LineOfKey("profile"), $"egress '{name}': the profile {profilePath} was refused (reasons above)");
            return null;
        }

        if (imported.Profile.NeedsCredentials && credentialsPath is null)
        {
            section.Error(section.LineOfKey("profile"), $"egress '{name}': the profile asks for a user name and password (auth-user-pass): set 'credentials'");
        }

        return new OpenVpnEgressConfig(name, section.Line, profilePath, credentialsPath, imported.Profile);
    }

    private static ProxyEgressConfig? ReadProxy(TomlSection section, string? name, string type, string baseDirectory)
    {
        var address = section.RequiredString("address");
        var credentialsFile = section.String("credentials");
        if (address is null || name is null)
        {
            return null;
        }

        var scheme = type == "socks5" ? "socks5" : "http";
        if (!Uri.TryCreate(address.Contains("://", StringComparison.Ordinal) ? address : $"{scheme}://{address}", UriKind.Absolute, out var uri)
            || uri.Scheme != scheme || uri.Port <= 0 || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
        {
            section.Error(section.LineOfKey("address"), $"'address' must be {scheme}://IP:PORT (an IP address: the proxy is reached before any DNS exists)");
            return null;
        }

        if (uri.UserInfo.Length > 0)
        {
            // Passwords stay out of galaxy.toml (which status output, logs and backups quote): a file of their own.
            section.Error(section.LineOfKey("address"), "'address' holds no user name or password: put them in a file named by 'credentials' (the user name on the first line, the password on the second)");
            return null;
        }

        ProxyCredentials? credentials = null;
        if (credentialsFile is not null)
        {
            var path = Path.GetFullPath(credentialsFile, baseDirectory);
            credentials = ProxyCredentialsFile.Read(path, out var problem);
            if (problem is not null)
            {
                section.Error(section.LineOfKey("credentials"), $"egress '{name}': credentials file {path}: {problem}");
                return null;
            }
        }

        return new ProxyEgressConfig(name, section.Line, type, uri, credentials);
    }

    private static void CheckInterface(TomlSection section, string name, int line)
    {
        if (!InterfaceNamePattern().IsMatch(name))
        {
            section.Error(line, $"'{name}' is not an interface name (1 to 15 characters of letters, digits, '_', '.', '-')");
        }
    }
}
