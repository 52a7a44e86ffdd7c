using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Galaxy.Agent.Cli;

/// <summary>What this binary is: version, the commit it was built from, and how it runs.</summary>
internal sealed record BuildInfo(string Version, string? Commit, string RuntimeIdentifier, bool NativeAot)
{
    public static BuildInfo Current { get; } = Read();

    /// <summary>The one-line form printed by <c>galaxy --version</c>.</summary>
    public string VersionLine => Commit is null ? $"galaxy {Version}" : $"galaxy {Version} ({Commit})";

    private static BuildInfo Read()
    {
        var informational = typeof(BuildInfo).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return Parse(informational, RuntimeInformation.RuntimeIdentifier, !RuntimeFeature.IsDynamicCodeSupported);
    }

    /// <summary>Splits an informational version such as <c>0.1.0+3f2c…</c> into version and short commit.</summary>
    internal static BuildInfo Parse(string informationalVersion, string runtimeIdentifier, bool nativeAot)
    {
        var plus = informationalVersion.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return new BuildInfo(informationalVersion, null, runtimeIdentifier, nativeAot);
        }

        var commit = informationalVersion[(plus + 1)..];
        if (commit.Length > 12)
        {
            commit = commit[..12];
        }

        return new BuildInfo(informationalVersion[..plus], commit.Length == 0 ? null : commit, runtimeIdentifier, nativeAot);
    }
}
