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
}
