using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Galaxy.Agent.Portal;

/// <summary>
/// Settings → the portal folder, as a pure function of the settings and the base files. Per router <c>NAME/</c>:
/// <list type="bullet">
/// <item><c>base-files/</c>: a copy of the base files, whose <c>etc/galaxy/</c> becomes the router's identity:
/// its own galaxy.toml (LAN subnet, DHCP, egresses) and the credential files it names. That folder is what
/// <c>portal up</c> burns onto the config drive;</item>
/// <item><c>domain.xml</c>: the libvirt domain (WAN NIC first = eth0, LAN NIC second = eth1, the overlay disk, the
/// config drive as a cdrom);</item>
/// <item><c>lan-network.xml</c>: the isolated libvirt network of its LAN (no forward, no host address, no libvirt DHCP);</item>
/// <item><c>instance.toml</c>: what <c>portal up|down</c> need (template, state folder, network name).</item>
/// </list>
/// </summary>
internal static class InstanceRenderer
{
    public const string IdentityFolder = "base-files/etc/galaxy";
    public const string ConfigDriveLabel = "GALAXYCFG";

    public static RenderedTree Render(PortalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var baseFiles = ReadBaseFiles(settings.BaseFilesDirectory);
        var files = new List<RenderedFile>
        {
            RenderedFile.Text("README.md", Readme(settings)),
        };

        foreach (var router in settings.Routers)
        {
            var prefix = router.Name + "/";
            var credentials = router.Egresses.Select(e => settings.Credentials.Single(c => c.Name == e)).ToList();
            var identity = new SortedDictionary<string, RenderedFile>(StringComparer.Ordinal);
            foreach (var file in baseFiles)
            {
                identity[file.Path] = file with { Path = prefix + "base-files/" + file.Path };
            }

            // The identity layer replaces the example configuration of the base files.
            foreach (var key in identity.Keys.Where(k => k.StartsWith("etc/galaxy/", StringComparison.Ordinal)).ToList())
            {
                identity.Remove(key);
            }

            var galaxyFolder = prefix + IdentityFolder + "/";
            identity["etc/galaxy/galaxy.toml"] = RenderedFile.Text(galaxyFolder + "galaxy.toml", RouterConfigToml.Render(settings, router, credentials));
            foreach (var credential in credentials)
            {
                if (credential.Profile is { } profile)
                {
                    identity[$"etc/galaxy/{credential.Name}.ovpn"] = new RenderedFile(galaxyFolder + credential.Name + ".ovpn", [.. File.ReadAllBytes(profile)], false);
                }

                if (credential.Auth is { } auth)
                {
                    identity[$"etc/galaxy/{credential.Name}.auth"] = new RenderedFile(galaxyFolder + credential.Name + ".auth", [.. File.ReadAllBytes(auth)], false);
                }
            }

            files.AddRange(identity.Values);
            var stateDirectory = Path.Combine(settings.StateDirectory, router.Name);
            files.Add(RenderedFile.Text(prefix + "domain.xml", LibvirtXml.Domain(router, settings.WanNetwork, stateDirectory, settings.TemplatePath)));
            files.Add(RenderedFile.Text(prefix + "lan-network.xml", LibvirtXml.LanNetwork(router)));
            files.Add(RenderedFile.Text(prefix + "instance.toml", InstanceManifest.Render(router, settings.TemplatePath, stateDirectory)));
        }

        return new RenderedTree([.. files.OrderBy(f => f.Path, StringComparer.Ordinal)]);
    }

    /// <summary>A deterministic locally administered MAC in QEMU's 52:54:00 range, from the router's name and the NIC's role.</summary>
    internal static string MacAddress(string name, string role)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{name}/{role}"));
        return string.Create(CultureInfo.InvariantCulture, $"52:54:00:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}");
    }

    private static List<RenderedFile> ReadBaseFiles(string root)
    {
        var result = new List<RenderedFile>();
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.Split('/').Any(part => part == ".git"))
            {
                continue;
            }

            // A copy, never a link: symbolic links are read through (their target's bytes).
            var mode = File.GetUnixFileMode(path);
            var executable = (mode & UnixFileMode.UserExecute) != 0;
            result.Add(new RenderedFile(relative, [.. File.ReadAllBytes(path)], executable));
        }

        return result;
    }

    private static string Readme(PortalSettings settings)
    {
        var builder = new StringBuilder();
        builder.Append("# Galaxy routers\n\n");
        builder.Append("Rendered by `galaxy portal render` from the portal settings. Each folder is one router:\n");
        builder.Append("`base-files/` (its `etc/galaxy/` goes onto the config drive), `domain.xml`, `lan-network.xml`.\n\n");
        builder.Append("Local commits are kept: a render commits to the branch `portal-render` and merges it here.\n\n");
        builder.Append("| router | LAN subnet | egresses | CPUs | memory (MiB) |\n| --- | --- | --- | --- | --- |\n");
        foreach (var router in settings.Routers)
        {
            builder.Append(CultureInfo.InvariantCulture, $"| {router.Name} | {router.LanSubnet} | {string.Join(", ", router.Egresses)} | {router.Cpus} | {router.MemoryMiB} |\n");
        }

        return builder.ToString();
    }
}
