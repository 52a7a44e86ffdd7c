using System.Runtime.CompilerServices;
using Galaxy.Agent.Portal;

namespace Galaxy.Agent.Tests.Portal;

/// <summary>
/// The fixture settings (Fixtures/portal.toml with its base files and secrets) copied to a scratch folder, and the
/// golden files (Golden/), found next to this source file. <c>GALAXY_UPDATE_GOLDEN=1</c> rewrites the golden files.
/// </summary>
internal sealed class PortalFixture : IDisposable
{
    public PortalFixture()
    {
        Root = Directory.CreateTempSubdirectory("galaxy-portal-").FullName;
        Settings = Path.Combine(Root, "settings");
        Output = Path.Combine(Root, "portal");
        CopyDirectory(Path.Combine(SourceDirectory(), "Fixtures"), Settings);
    }

    public string Root { get; }

    /// <summary>The folder holding portal.toml, base-files/ and secrets/.</summary>
    public string Settings { get; }

    public string SettingsFile => Path.Combine(Settings, "portal.toml");

    /// <summary>The portal folder renders go to (created by the first render).</summary>
    public string Output { get; }

    public static string GoldenDirectory => Path.Combine(SourceDirectory(), "Golden");

    public static bool UpdateGolden => Environment.GetEnvironmentVariable("GALAXY_UPDATE_GOLDEN") == "1";

    public PortalSettings Load(Func<string, string>? edit = null)
    {
        if (edit is not null)
        {
            File.WriteAllText(SettingsFile, edit(File.ReadAllText(SettingsFile)));
        }

        return PortalSettingsLoader.LoadFile(SettingsFile);
    }

    public RenderOutcome Render(Func<string, string>? edit = null) => PortalRenderer.Render(Load(edit), Output);

    /// <summary>Runs git in the portal folder and returns its standard output (fails the test when git fails).</summary>
    public string Git(params string[] arguments)
    {
        var result = ToolRunner.Run("git", ["-c", "user.name=Operator", "-c", "user.email=operator@galaxy.invalid", .. arguments], Output);
        Assert.True(result.Succeeded, $"expected git to succeed, saw {result.Describe()}");
        return result.StandardOutput.Trim();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
