using System.Globalization;
using Galaxy.Agent.Config;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Galaxy.Agent.Portal;

/// <summary>
/// <c>NAME/instance.toml</c>: what <c>portal up|down NAME</c> need without the settings file — the template, the
/// instance's state folder (overlay and config drive), its LAN network.
/// </summary>
internal sealed record InstanceManifest(string Name, string TemplatePath, string StateDirectory, string LanNetwork)
{
    public string OverlayPath => Path.Combine(StateDirectory, "overlay.qcow2");

    public string ConfigDrivePath => Path.Combine(StateDirectory, "config.iso");

    public static string Render(RouterInstance router, string template, string stateDirectory) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            # Read by `galaxy portal up|down {router.Name}`; rendered by `galaxy portal render`.
            name = {RouterConfigToml.Quote(router.Name)}
            template = {RouterConfigToml.Quote(template)}
            state-dir = {RouterConfigToml.Quote(stateDirectory)}
            lan-network = {RouterConfigToml.Quote(router.LanNetwork)}

            """);

    public static InstanceManifest LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, $"cannot read the instance file: {e.Message}")]);
        }

        var errors = new List<ConfigError>();
        var document = SyntaxParser.Parse(text, path, false);
        foreach (var diagnostic in document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error))
        {
            errors.Add(new ConfigError(path, diagnostic.Span.Start.Line + 1, diagnostic.Message));
        }

        var root = new TomlSection(path, "", 0, errors);
        foreach (var entry in document.KeyValues)
        {
            root.Add(entry);
        }

        foreach (var table in document.Tables)
        {
            errors.Add(new ConfigError(path, table.Span.Start.Line + 1, "instance.toml has no tables"));
        }

        var name = root.RequiredString("name");
        var template = root.RequiredString("template");
        var state = root.RequiredString("state-dir");
        var network = root.RequiredString("lan-network");
        root.ReportUnknownKeys();
        if (errors.Count > 0)
        {
            throw new ConfigException([.. errors]);
        }

        return new InstanceManifest(name!, template!, state!, network!);
    }
}
