namespace Galaxy.Integration.Tests.Support;

/// <summary>Where the build put what the tests exercise: the repository and the published binary.</summary>
public static class Artifacts
{
    /// <summary>The repository root: the directory holding <c>Galaxy.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// The NativeAOT binary that <c>./build.sh publish</c> wrote (<c>artifacts/galaxy</c>), or the path in
    /// <c>GALAXY_BINARY</c>. End-to-end tests run this file, never the JIT build.
    /// </summary>
    public static string GalaxyBinary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("GALAXY_BINARY") is { Length: > 0 } configured
                ? configured
                : Path.Combine(RepositoryRoot, "artifacts", "galaxy");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"the published binary {path} is missing: run ./build.sh publish first", path);
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Galaxy.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Galaxy.sln above {AppContext.BaseDirectory}");
    }
}
