namespace Galaxy.Agent.Portal;

/// <summary>What <c>portal up</c> did.</summary>
/// <param name="Overlay">The fresh overlay.</param>
/// <param name="ConfigDrive">The fresh config drive.</param>
/// <param name="Started">Whether the domain was defined and started (false with <c>--no-start</c> or without virsh).</param>
/// <param name="Note">Why it was not started, when it was not.</param>
internal sealed record UpOutcome(string Overlay, string ConfigDrive, bool Started, string? Note);

/// <summary>
/// <c>portal up|down NAME</c> for one rendered instance folder. <c>up</c> always starts from the template: the old
/// overlay is deleted and a new one made, the config drive is burnt from the instance folder as committed; then the
/// LAN network and the domain are defined (from the rendered XML) and started with virsh. <c>down</c> stops the domain
/// and deletes the overlay: nothing the VM wrote is kept.
/// </summary>
internal sealed class PortalLifecycle
{
    private readonly string _portalDirectory;

    public PortalLifecycle(string portalDirectory)
    {
        _portalDirectory = Path.GetFullPath(portalDirectory);
    }

    public InstanceManifest Manifest(string name)
    {
        var folder = InstanceFolder(name);
        return InstanceManifest.LoadFile(Path.Combine(folder, "instance.toml"));
    }

    public UpOutcome Up(string name, bool start)
    {
        var folder = InstanceFolder(name);
        var manifest = Manifest(name);
        var virsh = start ? ToolRunner.Find("virsh") : null;
        if (virsh is not null && DomainState(virsh, name) is "running" or "paused" or "in shutdown")
        {
            throw new PortalException($"{name} is running: `galaxy portal down {name}` first (up always starts from a fresh overlay)");
        }

        Directory.CreateDirectory(manifest.StateDirectory);
        Overlay.Recreate(manifest.TemplatePath, manifest.OverlayPath);
        ConfigDrive.Build(Path.Combine(folder, InstanceRenderer.IdentityFolder), manifest.ConfigDrivePath);
        if (!start)
        {
            return new UpOutcome(manifest.OverlayPath, manifest.ConfigDrivePath, false, "--no-start: the overlay and the config drive are ready");
        }

        if (virsh is null)
        {
            return new UpOutcome(manifest.OverlayPath, manifest.ConfigDrivePath, false, "virsh is not on PATH (Debian package libvirt-clients): the overlay and the config drive are ready");
        }

        var network = manifest.LanNetwork;
        if (!ToolRunner.Run(virsh, ["net-info", network]).Succeeded)
        {
            ToolRunner.RunChecked(virsh, ["net-define", Path.Combine(folder, "lan-network.xml")], $"defining the LAN network {network}");
            ToolRunner.Run(virsh, ["net-autostart", network]);
        }

        if (!ToolRunner.Run(virsh, ["net-info", network]).StandardOutput.Contains("Active:         yes", StringComparison.Ordinal))
        {
            ToolRunner.RunChecked(virsh, ["net-start", network], $"starting the LAN network {network}");
        }

        ToolRunner.RunChecked(virsh, ["define", Path.Combine(folder, "domain.xml")], $"defining the domain {name}");
        ToolRunner.RunChecked(virsh, ["start", name], $"starting {name}");
        return new UpOutcome(manifest.OverlayPath, manifest.ConfigDrivePath, true, null);
    }

    /// <summary>Stops the domain (if virsh is there and it runs) and deletes the overlay. Returns what was done.</summary>
    public string Down(string name)
    {
        var manifest = Manifest(name);
        var done = new List<string>();
        if (ToolRunner.Find("virsh") is { } virsh)
        {
            if (DomainState(virsh, name) is "running" or "paused" or "in shutdown")
            {
                ToolRunner.RunChecked(virsh, ["destroy", name], $"stopping {name}");
                done.Add("stopped");
            }
        }

        if (File.Exists(manifest.OverlayPath))
        {
            File.Delete(manifest.OverlayPath);
            done.Add($"deleted {manifest.OverlayPath}");
        }

        return done.Count == 0 ? $"{name}: nothing to do" : $"{name}: {string.Join(", ", done)}";
    }

    private static string? DomainState(string virsh, string name)
    {
        var state = ToolRunner.Run(virsh, ["domstate", name]);
        return state.Succeeded ? state.StandardOutput.Trim() : null;
    }

    private string InstanceFolder(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.StartsWith('.'))
        {
            throw new PortalException($"'{name}' is not an instance name");
        }

        var folder = Path.Combine(_portalDirectory, name);
        return File.Exists(Path.Combine(folder, "instance.toml"))
            ? folder
            : throw new PortalException($"{folder}/instance.toml does not exist: render the portal first (galaxy portal render SETTINGS --out {_portalDirectory})");
    }
}
