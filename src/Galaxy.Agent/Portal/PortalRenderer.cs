namespace Galaxy.Agent.Portal;

/// <summary><c>portal render</c>: settings file → rendering → committed and merged into the portal folder.</summary>
internal static class PortalRenderer
{
    public static RenderOutcome Render(PortalSettings settings, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tree = InstanceRenderer.Render(settings);
        var names = string.Join(", ", settings.Routers.Select(r => r.Name));
        return new RenderRepository(outputDirectory).Commit(tree, $"Portal rendering: {names}\n\nFrom {Path.GetFileName(settings.SourcePath)}.");
    }

    /// <summary>
    /// Burns every router's config drive from its folder as merged (local commits included) into the state folder,
    /// as <c>portal up</c> would; returns the images written.
    /// </summary>
    public static IReadOnlyList<string> BuildDrives(PortalSettings settings, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var written = new List<string>();
        foreach (var router in settings.Routers)
        {
            var manifest = InstanceManifest.LoadFile(Path.Combine(outputDirectory, router.Name, "instance.toml"));
            Directory.CreateDirectory(manifest.StateDirectory);
            ConfigDrive.Build(Path.Combine(outputDirectory, router.Name, InstanceRenderer.IdentityFolder), manifest.ConfigDrivePath);
            written.Add(manifest.ConfigDrivePath);
        }

        return written;
    }
}
